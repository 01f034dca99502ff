/** SVG stand-ins for thumbnails, so the browser preview (`npm run dev`) has something to show. */

function hue(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % 360;
}

/** A gradient landscape whose colours follow the image id in `path` (`size/id`). */
export function svgThumbnail(path: string): string {
  const id = path.split('/')[1] ?? path;
  const h = hue(id);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="320"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${h},60%,55%)"/><stop offset="1" stop-color="hsl(${(h + 60) % 360},60%,35%)"/></linearGradient></defs><rect width="320" height="320" fill="url(#g)"/><circle cx="230" cy="90" r="36" fill="hsla(0,0%,100%,.55)"/><path d="M0 260 L90 170 L160 230 L230 160 L320 250 L320 320 L0 320Z" fill="hsla(0,0%,0%,.35)"/></svg>`;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
