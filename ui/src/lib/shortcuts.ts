/**
 * The keyboard shortcuts dialog (?): only keys that the handlers really take — App.svelte
 * (window), Grid.svelte (the focused grid), TopBar (the search box), ContextMenu, Modal.
 * Keys are shown one per <kbd>; "+" joins a combination, "or" separates alternatives.
 */
export interface Shortcut {
  /** Alternatives, each a combination of keys: [['Ctrl', 'F'], ['/']]. */
  keys: string[][];
  what: string;
}

export interface ShortcutGroup {
  title: string;
  rows: Shortcut[];
}

export const SHORTCUTS: ShortcutGroup[] = [
  {
    title: 'Anywhere',
    rows: [
      { keys: [['/'], ['Ctrl', 'F']], what: 'Go to the search box' },
      { keys: [['Ctrl', 'O']], what: 'Add files' },
      { keys: [['Ctrl', 'Shift', 'O']], what: 'Add a folder' },
      { keys: [['Ctrl', 'U']], what: 'Import from URL' },
      { keys: [['Ctrl', 'V']], what: 'Paste an image or an image link (outside a text field)' },
      { keys: [['Ctrl', 'B']], what: 'Show or hide the sidebar' },
      { keys: [['Ctrl', '+'], ['Ctrl', '−']], what: 'Bigger / smaller thumbnails' },
      { keys: [['?']], what: 'Show this list' },
      { keys: [['Esc']], what: 'Close a dialog or menu; in the search box, clear the search' },
    ],
  },
  {
    title: 'In the grid',
    rows: [
      { keys: [['Left arrow'], ['Right arrow']], what: 'Previous / next image' },
      { keys: [['Up arrow'], ['Down arrow']], what: 'Image above / below' },
      { keys: [['Home'], ['End']], what: 'First / last image' },
      { keys: [['Page Up'], ['Page Down']], what: 'One screen up / down' },
      { keys: [['Shift', 'arrow']], what: 'Extend the selection to the next image' },
      { keys: [['Ctrl', 'A']], what: 'Select all (everything the filters and search show)' },
      { keys: [['Esc']], what: 'Clear the selection' },
      { keys: [['Enter'], ['Space']], what: 'Open the focused image' },
      { keys: [['Delete']], what: 'Delete the selected images, or the focused one (asks first, can be undone)' },
      { keys: [['Shift', 'F10'], ['Menu']], what: 'Actions for the focused image (same as a right click)' },
    ],
  },
  {
    title: 'Viewing an image',
    rows: [
      { keys: [['Left arrow'], ['Right arrow']], what: 'Previous / next image' },
      { keys: [['Esc']], what: 'Back to the grid' },
      { keys: [['Delete']], what: 'Delete this image (asks first, can be undone)' },
      { keys: [['Shift', 'F10'], ['Menu']], what: 'Actions for this image (same as a right click)' },
    ],
  },
  {
    title: 'In a menu',
    rows: [
      { keys: [['Up arrow'], ['Down arrow']], what: 'Previous / next item' },
      { keys: [['Home'], ['End']], what: 'First / last item' },
      { keys: [['Enter'], ['Space']], what: 'Choose the item' },
      { keys: [['Esc']], what: 'Close the menu' },
    ],
  },
];

/** "Ctrl+Shift+O", "Left arrow or Right arrow": a row's keys as plain text. */
export function keysText(s: Shortcut): string {
  return s.keys.map((combo) => combo.join('+')).join(' or ');
}
