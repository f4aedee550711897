// Image reference checks shared by KM-SUP-001 (same semantics as the constructors' `_validateImageRef`).

/** Why a reference is not pinned, or undefined when it is pinned by tag or digest. */
export function unpinnedReason(ref: string): string | undefined {
  const text = ref.replace(/^docker:\/\//, '');
  if (/@sha256:[a-f0-9]{64}$/.test(text)) return undefined;
  const last = text.split('/').pop() ?? '';
  const tag = last.includes(':') ? last.split(':')[1] : undefined;
  if (!tag) return 'no tag or digest';
  if (tag === 'latest') return 'tag "latest"';
  return undefined;
}
