// Keeping the keyboard's place while a region is rendered again (a live update must not throw the focus
// back to the top of the page).

/** Re-renders `container` and gives focus back to the same control (by its test hook) if it had it. */
export function keepFocus(container, render) {
  const active = document.activeElement;
  let selector = null;
  if (active && active !== container && container.contains(active) && active.dataset && active.dataset.testid) {
    selector = `[data-testid="${CSS.escape(active.dataset.testid)}"]`;
    for (const name of ['key', 'id', 'revision']) {
      if (active.dataset[name] !== undefined) selector += `[data-${name}="${CSS.escape(active.dataset[name])}"]`;
    }
  }
  render();
  const again = selector && container.querySelector(selector);
  if (again) again.focus();
}
