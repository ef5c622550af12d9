/** Short messages that confirm or warn, announced politely to screen readers. */
export interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

let next = 1;
export const toasts = $state<Toast[]>([]);
/** How many docked toasters are on the page: while one is, toasts show there, not floating over content. */
export const toastDock = $state({ docked: 0 });

/** Shows `text` for a few seconds (errors stay longer). */
export function toast(text: string, kind: Toast['kind'] = 'info'): void {
  const id = next++;
  toasts.push({ id, text, kind });
  setTimeout(() => dismiss(id), kind === 'error' ? 8000 : 4000);
}

export function dismiss(id: number): void {
  const i = toasts.findIndex((t) => t.id === id);
  if (i >= 0) toasts.splice(i, 1);
}
