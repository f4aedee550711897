import type { CliIo } from './io';

const REDACTED = '[redacted]';
// Shapes of credentials that may reach a message without passing through the kubeconfig reader
// (an exec plugin's output, a server echoing a header): bearer values and JWTs.
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
// user:password@ in URLs.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi;

/**
 * Removes credentials from everything the command prints. The kubeconfig reader registers the
 * secret values it sees (tokens, passwords, key data, auth-provider and exec settings); known
 * credential shapes are removed even when they were never registered.
 */
export class SecretScrubber {
  private readonly secrets = new Set<string>();

  /** Registers a value that must never be printed. Values shorter than 4 characters are ignored (they would mangle ordinary words). */
  public add(secret: string): void {
    if (typeof secret === 'string' && secret.length >= 4) this.secrets.add(secret);
  }

  /** The text with every registered secret and every credential shape replaced by `[redacted]`. */
  public scrub(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is removed whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out.replace(BEARER, `$1 ${REDACTED}`).replace(JWT, REDACTED).replace(URL_USERINFO, `$1${REDACTED}@`);
  }
}

/** The same IO, with every write scrubbed. */
export function scrubbedIo(io: CliIo, scrubber: SecretScrubber): CliIo {
  return {
    ...io,
    stdout: (text) => io.stdout(scrubber.scrub(text)),
    stderr: (text) => io.stderr(scrubber.scrub(text)),
  };
}

/** A URL without user information (`https://user:pw@host` → `https://host`), for messages. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(URL_USERINFO, '$1');
  }
}
