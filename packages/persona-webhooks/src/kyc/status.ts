/**
 * Persona spells the same status several ways across docs, API versions and key inflections
 * (`needs_review`, `needs review`, `needs-review`, `needsReview`). Stores compare statuses as strings,
 * so they must agree on one spelling; unknown statuses are kept (normalised), never rejected, because
 * Persona treats new status values as non-breaking.
 */

/**
 * Normalises a status to lowercase snake_case; null when the payload carries no usable status.
 *
 * @example
 * normaliseInquiryStatus('Needs Review'); // 'needs_review'
 * normaliseInquiryStatus('needsReview'); // 'needs_review'
 * normaliseInquiryStatus('approved'); // 'approved'
 */
export function normaliseInquiryStatus(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const normalised = raw
    .trim()
    // camelCase boundaries first, before lowercasing erases them.
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[\s-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
  return normalised.length > 0 ? normalised : null;
}
