/**
 * Hash routes (`#/events?status=dead`), so every view has a shareable address, the browser's back
 * button works, and the server serves one page for all of them.
 */
import { useEffect, useState } from './vendor/preact-htm.js';

/**
 * The current route: the path's segments and its query. A path that is not valid percent-encoding
 * (`#/users/%E0%A4%A`, from a mangled link) is no page: `notFound` is set and there are no segments,
 * instead of decodeURIComponent's URIError leaving the page on "Loading…".
 */
export function currentRoute() {
  const hash = window.location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = hash.split('?');
  const raw = path.split('/').filter(Boolean);
  let segments;
  try {
    segments = raw.map(decodeURIComponent);
  } catch {
    return { segments: [], params: new URLSearchParams(), notFound: true };
  }
  return { segments, params: new URLSearchParams(search), notFound: false };
}

/** Re-renders on every hash change. */
export function useRoute() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

/** `#/a/b?x=1` from segments and query entries (empty values left out). */
export function href(segments, params = {}) {
  const path = segments.map((segment) => encodeURIComponent(segment)).join('/');
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return `#/${path}${text ? `?${text}` : ''}`;
}

/** Goes to a route (adds a history entry, as a link would). */
export function navigate(target) {
  window.location.hash = target.replace(/^#/, '');
}
