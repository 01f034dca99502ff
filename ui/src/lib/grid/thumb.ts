/**
 * Svelte action for a grid thumbnail `<img>` whose element is reused for other
 * images as the grid scrolls. The image stays transparent (the cell's placeholder
 * colour shows) until the new picture is decoded, so there is never a blank or a
 * stale frame; `null` clears it (fast scrolling: nothing to fetch or decode).
 */
export function thumb(node: HTMLImageElement, src: string | null) {
  let current: string | null = null;
  let onLoad: (() => void) | null = null;
  let onError: (() => void) | null = null;

  function detach() {
    if (onLoad) node.removeEventListener('load', onLoad);
    if (onError) node.removeEventListener('error', onError);
    onLoad = onError = null;
  }

  function set(next: string | null) {
    if (next === current) return;
    current = next;
    detach();
    node.classList.remove('loaded', 'broken');
    if (next === null) {
      node.removeAttribute('src');
      return;
    }
    const mine = next;
    const shown = () => {
      if (current === mine) node.classList.add('loaded');
    };
    const failed = () => {
      if (current === mine) node.classList.add('broken');
    };
    onLoad = () => {
      detach();
      if (current !== mine) return;
      // Reveal only once the bitmap is decoded: no white frame between load and paint.
      if (typeof node.decode === 'function') {
        node.decode().then(shown, () => {
          // decode() also rejects when src changed meanwhile; a loaded image is still fine.
          if (current === mine && node.naturalWidth > 0) shown();
        });
      } else {
        shown();
      }
    };
    onError = () => {
      detach();
      failed();
    };
    node.addEventListener('load', onLoad);
    node.addEventListener('error', onError);
    node.src = next;
  }

  set(src);
  return {
    update: set,
    destroy: detach,
  };
}
