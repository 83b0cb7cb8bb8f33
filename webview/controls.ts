// The dashboard's controls are VS Code's own look-alikes from @vscode-elements/elements (Lit web
// components: theme colours, focus rings and keyboard as in VS Code). They style themselves with
// constructable stylesheets and the CSSOM, which the nonce-only CSP allows (no 'unsafe-inline').
// Tabs and tables stay native: the tab strip follows the WAI-ARIA tabs pattern, and <table> keeps
// table semantics, sticky headers and per-column alignment that vscode-table's grid does not.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeOption } from '@vscode-elements/elements/dist/vscode-option/vscode-option.js';
import { $ } from './chartKit';

/** A checkbox wired to the state: shows `checked`, calls `set` with the new value on change. */
export function bindCheckbox(id: string, checked: boolean, set: (checked: boolean) => void): VscodeCheckbox {
  const box = $<VscodeCheckbox>(id);
  box.checked = checked;
  box.addEventListener('change', () => set(box.checked));
  return box;
}

/** A dropdown wired to the state. */
export function bindSelect<T extends string>(id: string, value: T, set: (value: T) => void): VscodeSingleSelect {
  const select = $<VscodeSingleSelect>(id);
  select.value = value;
  select.addEventListener('change', () => set(select.value as T));
  return select;
}

/** Replaces a dropdown's options when they changed (text only: names come from the workspace). */
export function setOptions(select: VscodeSingleSelect, options: { value: string; label: string; title?: string }[], value: string): void {
  const current = [...select.querySelectorAll<VscodeOption>('vscode-option')].map((o) => `${o.value}\t${o.textContent}`).join('\n');
  if (current !== options.map((o) => `${o.value}\t${o.label}`).join('\n')) {
    select.replaceChildren(
      ...options.map((o) => {
        const option = document.createElement('vscode-option');
        option.value = o.value;
        option.textContent = o.label;
        if (o.title) option.description = o.title;
        return option;
      }),
    );
  }
  if (select.value !== value) select.value = value;
}

/** Enables or disables the options of a dropdown by value. */
export function enableOptions(select: VscodeSingleSelect, enabled: (value: string) => boolean): void {
  for (const option of select.querySelectorAll<VscodeOption>('vscode-option')) option.disabled = !enabled(option.value ?? '');
}

export type { VscodeCheckbox, VscodeSingleSelect };
