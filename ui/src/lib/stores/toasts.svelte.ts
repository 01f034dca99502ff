export type ToastKind = 'info' | 'success' | 'error';

export interface ToastAction {
  label: string;
  run: () => void;
  testid?: string;
}

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
  action?: ToastAction;
  /** ms; 0 = stays until dismissed. */
  timeout: number;
}

export class Toasts {
  list = $state<Toast[]>([]);
  #next = 1;
  #timers = new Map<number, ReturnType<typeof setTimeout>>();

  show(message: string, opts: { kind?: ToastKind; action?: ToastAction; timeout?: number } = {}): number {
    const id = this.#next++;
    const kind = opts.kind ?? 'info';
    const timeout = opts.timeout ?? (kind === 'error' ? 8000 : 4000);
    this.list = [...this.list, { id, kind, message, action: opts.action, timeout }].slice(-5);
    if (timeout > 0) this.#timers.set(id, setTimeout(() => this.dismiss(id), timeout));
    return id;
  }

  error(message: string): number {
    return this.show(message, { kind: 'error' });
  }

  success(message: string): number {
    return this.show(message, { kind: 'success' });
  }

  /** Changes a shown toast's message (a progress note); gone ones stay gone. */
  update(id: number, message: string): void {
    if (this.list.some((x) => x.id === id)) this.list = this.list.map((x) => (x.id === id ? { ...x, message } : x));
  }

  dismiss(id: number): void {
    const t = this.#timers.get(id);
    if (t !== undefined) clearTimeout(t);
    this.#timers.delete(id);
    this.list = this.list.filter((x) => x.id !== id);
  }
}
