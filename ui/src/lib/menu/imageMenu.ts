import { LINK_FORMATS, VISIBILITIES, type LinkFormat, type Visibility } from '../ipc';
import type { App, ImageMenu } from '../stores/app.svelte';
import type { MenuEntry } from './menu';

const FORMAT_LABELS: Record<LinkFormat, string> = { url: 'URL', markdown: 'Markdown', html: 'HTML', bbcode: 'BBCode' };
const VISIBILITY_LABELS: Record<Visibility, string> = { private: 'Private', unlisted: 'Unlisted', public: 'Public' };

/**
 * An image's context menu (grid tile or detail view). Every action goes through the app's
 * stores, as the buttons of the detail view do: no command of its own.
 */
export function imageMenuEntries(app: App, menu: ImageMenu): MenuEntry[] {
  const { id, where } = menu;
  const { detail, gallery } = app;
  const open = detail.record?.id === id ? detail.record : undefined;
  const visibility = open?.visibility ?? gallery.get(id)?.visibility;
  const local = open?.local ?? gallery.get(id)?.local ?? true;
  const entries: MenuEntry[] = [];
  if (menu.selection) {
    const text = menu.selection;
    entries.push({ id: 'copy-selection', label: 'Copy', run: () => void app.copy(text, 'Text') }, { kind: 'separator' });
  }
  if (where === 'grid') entries.push({ id: 'open', label: 'Open', run: () => void detail.open(id) }, { kind: 'separator' });
  entries.push(
    {
      kind: 'group',
      id: 'copy-link',
      label: 'Copy link as',
      items: LINK_FORMATS.map((f) => ({ id: `copy-${f}`, label: FORMAT_LABELS[f], run: () => void app.copyLink(id, f) })),
    },
    {
      kind: 'group',
      id: 'visibility',
      label: 'Visibility',
      items: VISIBILITIES.map((v) => ({
        id: `visibility-${v}`,
        label: VISIBILITY_LABELS[v],
        checked: visibility === v,
        run: () => void detail.setVisibility(id, v),
      })),
    },
    { kind: 'separator' },
    { id: 'add-tag', label: 'Add tag…', run: () => void app.addTag(id) },
    { id: 'reveal', label: 'Reveal in folder', run: () => void app.reveal(id) },
    local
      ? { id: 'offload', label: 'Free up space', run: () => void detail.setLocal(id, false) }
      : { id: 'keep-local', label: 'Keep on this computer', run: () => void detail.setLocal(id, true) },
    { kind: 'separator' },
    { id: 'delete', label: 'Delete…', danger: true, run: () => app.requestDelete([id]) },
  );
  return entries;
}
