/**
 * What makes the webview feel like a desktop app rather than a web page: no WebKit context
 * menu, no native drag of the interface, no "select all" of the page's text. The handlers are
 * plain functions so App.svelte installs them once on the window and tests call them directly.
 */

const TEXT_INPUT_TYPES = new Set(['', 'text', 'search', 'url', 'email', 'password', 'number', 'tel']);

/**
 * A field where the user edits or copies text (the webview's cut/copy/paste menu and
 * Ctrl+A belong to it): text-like inputs, textareas, editable content.
 */
export function isTextField(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  if (t instanceof HTMLTextAreaElement || t.isContentEditable) return true;
  return t instanceof HTMLInputElement && TEXT_INPUT_TYPES.has(t.type.toLowerCase());
}

/**
 * `contextmenu` on the window: WebKit's own menu (Reload, Inspect, Back…) never shows, except
 * in text fields where cut/copy/paste is expected. The app's own menus call preventDefault
 * themselves before this runs.
 */
export function preventContextMenu(e: MouseEvent): void {
  if (!isTextField(e.target)) e.preventDefault();
}

/**
 * `dragstart` on the window: images, links and buttons of the interface are not dragged out
 * as files or URLs. Dragging selected text inside a field stays. (Files dropped from the OS
 * never start a drag here: the core handles them.)
 */
export function preventInterfaceDrag(e: DragEvent): void {
  if (!isTextField(e.target)) e.preventDefault();
}

/** Ctrl+A (Cmd+A on macOS) without Shift/Alt. */
export function isSelectAll(e: KeyboardEvent): boolean {
  return (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'a';
}

/**
 * Ctrl+A outside a text field: the page's text is not selected. Returns true when the key was
 * taken (the caller may then select all images, once multi-selection exists).
 */
export function takeSelectAll(e: KeyboardEvent): boolean {
  if (!isSelectAll(e) || isTextField(e.target)) return false;
  e.preventDefault();
  return true;
}
