// Labels the library writes itself are how its own parts find each other (pools, add-on profiles,
// reports, the Flux tree select by them). A user label of the same key would be overwritten silently,
// or would overwrite the library's and break those selections, so it is refused instead.
import { IConstruct } from 'constructs';
import { KmetalValidationError, showValue } from './errors';

/**
 * Refuses keys of `labels` that the library sets itself on the same object.
 *
 * @param reserved the keys the library writes there
 * @param why what the library uses the key for, for the message
 */
export function refuseLibraryLabels(
  scope: IConstruct, field: string, labels: { [key: string]: string }, reserved: readonly string[], why: string,
): void {
  for (const key of Object.keys(labels)) {
    if (reserved.includes(key)) {
      throw new KmetalValidationError(scope, `${field}.${key}`, `${showValue(key)} is a label the library sets itself (${why}); yours would be overwritten or break it`,
        `drop it, or use a key of your own (e.g. "example.com/${key.split('/').pop()}")`);
    }
  }
}
