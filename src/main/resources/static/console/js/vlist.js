// A virtualized list for thousands of rows: fixed row height, only the visible rows (plus overscan) in the
// DOM, absolutely placed with translateY. Rows are keyed by item and reused: a row keeps showing its item
// while the item stays in view (so an inserted item moves rows instead of rewriting them, and focus stays
// on the item it was on), and a row is rewritten only when its item object changed (callers replace,
// never mutate, an item that changed); update() rewrites only the `ticking` cells (a countdown). Every
// change only schedules; the DOM is written once per animation frame however many changes arrive.
//
// Semantics: an ARIA table (role=table with aria-rowcount, a header row, rows with aria-rowindex), since
// only part of its rows exist at a time. The scroll container is focusable so the keyboard can scroll it.

import { fill, h } from './ui.js';

export class VirtualList {
  /**
   * `columns`: [{label, cell(item) → Node|string|array, className, ticking}] (`ticking` cells are
   * rewritten by update()); `key(item)` a stable identity;
   * `template` the CSS grid-template-columns of every row; `rowAttributes(item)` data-* for a row
   * ({testid, id, ...}); `label` names the table; `empty` is shown when there are no items.
   */
  constructor({ columns, key, template, label, rowHeight = 36, overscan = 6, rowAttributes = () => ({}), empty = 'Nothing to show.', className = '' }) {
    this.columns = columns;
    this.key = key;
    this.template = template;
    this.rowHeight = rowHeight;
    this.overscan = overscan;
    this.rowAttributes = rowAttributes;
    this.items = [];
    this.live = new Map(); // key → row element in the DOM
    this.spare = []; // detached rows, kept for reuse
    this.frame = 0;
    this.dirtyAll = false;
    this.viewport = 0;
    this.shownCount = -1;
    this.stamp = 0; // render count: tells a duplicate key within one frame

    this.head = h('div', { class: 'vhead', role: 'row', 'aria-rowindex': '1' },
      columns.map((column) => h('div', { role: 'columnheader', class: column.className || null, text: column.label })));
    this.head.style.gridTemplateColumns = template;
    this.inner = h('div', { class: 'vlist-inner', role: 'none' });
    this.scroller = h('div', { class: 'vlist', role: 'rowgroup', tabindex: '0' }, this.inner);
    this.table = h('div', { class: `vtable ${className}`, role: 'table', 'aria-label': label, 'aria-rowcount': '1' },
      this.head, this.scroller);
    this.emptyView = h('p', { class: 'state state-empty', text: empty, hidden: true });
    this.element = h('div', { class: 'vwrap' }, this.table, this.emptyView);

    this.onScroll = () => this.schedule();
    this.scroller.addEventListener('scroll', this.onScroll, { passive: true });
    // The viewport height is read here, after layout, so render() reads nothing but scrollTop.
    this.resizeObserver = new ResizeObserver((entries) => {
      this.viewport = entries[entries.length - 1].contentRect.height;
      // The header makes room for the rows' scrollbar, so that its columns line up with theirs.
      const scrollbar = this.scroller.offsetWidth - this.scroller.clientWidth;
      this.head.style.paddingRight = scrollbar > 0 ? `calc(.6rem + ${scrollbar}px)` : '';
      this.schedule();
    });
    this.resizeObserver.observe(this.scroller);
  }

  /** Shows `items` (the array is kept, not copied: call again, or update(), after changing it). */
  setItems(items) {
    this.items = items;
    this.schedule();
  }

  /**
   * Rewrites the `ticking` cells of every visible row at the next frame (a countdown); other cells, and
   * the buttons in them, stay (a button replaced under the pointer loses its click, and its focus).
   */
  update() {
    this.dirtyAll = true;
    this.schedule();
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
  }

  destroy() {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.resizeObserver.disconnect();
    this.scroller.removeEventListener('scroll', this.onScroll);
  }

  render() {
    this.frame = 0;
    this.stamp += 1;
    const { items, rowHeight, stamp } = this;
    const count = items.length;
    if (count !== this.shownCount) {
      this.shownCount = count;
      this.inner.style.height = `${count * rowHeight}px`;
      this.table.setAttribute('aria-rowcount', String(count + 1));
      this.emptyView.hidden = count > 0;
    }
    const top = this.scroller.scrollTop;
    const first = Math.max(0, Math.floor(top / rowHeight) - this.overscan);
    const last = Math.min(count, Math.ceil((top + this.viewport) / rowHeight) + this.overscan);

    // Rows whose item is still in view keep it; the others are free for the items that came into view.
    const next = new Map();
    for (let index = first; index < last; index += 1) {
      const key = this.key(items[index]);
      const row = this.live.get(key);
      if (row) {
        next.set(key, row);
        this.live.delete(key);
      }
    }
    const free = [];
    for (const row of this.live.values()) {
      if (row.contains(document.activeElement)) this.scroller.focus({ preventScroll: true });
      free.push(row);
    }
    for (let index = first; index < last; index += 1) {
      const item = items[index];
      const key = this.key(item);
      let row = next.get(key);
      if (!row) {
        row = free.pop() || this.spare.pop() || this.createRow();
        if (!row.isConnected) this.inner.append(row);
        row.item = undefined;
        next.set(key, row);
      } else if (row.stamp === stamp) {
        continue; // a duplicate key: the first item with it has the row
      }
      row.stamp = stamp;
      if (row.index !== index) {
        row.index = index;
        row.style.transform = `translateY(${index * rowHeight}px)`;
        row.setAttribute('aria-rowindex', String(index + 2));
      }
      if (row.item !== item) {
        row.item = item;
        this.fillRow(row, item);
      } else if (this.dirtyAll) {
        this.columns.forEach((column, at) => { if (column.ticking) setCell(row.children[at], column.cell(item)); });
      }
    }
    for (const row of free) {
      row.remove();
      row.item = undefined;
      row.index = undefined;
      if (this.spare.length < 64) this.spare.push(row);
    }
    this.live = next;
    this.dirtyAll = false;
  }

  createRow() {
    const row = h('div', { class: 'vrow', role: 'row' },
      this.columns.map((column) => h('div', { role: 'cell', class: column.className || null })));
    row.style.height = `${this.rowHeight}px`;
    row.style.gridTemplateColumns = this.template;
    return row;
  }

  fillRow(row, item) {
    const attributes = this.rowAttributes(item);
    for (const name of Object.keys(row.dataset)) {
      if (!(name in attributes)) delete row.dataset[name];
    }
    for (const [name, value] of Object.entries(attributes)) row.dataset[name] = value;
    const cells = row.children;
    // Focus inside a row whose item changed moves to the same cell's new control (a drained instance's
    // "Drain" becomes "Undrain"), not to the page.
    let focusedCell = -1;
    if (row.contains(document.activeElement)) {
      for (let at = 0; at < cells.length; at += 1) if (cells[at].contains(document.activeElement)) focusedCell = at;
    }
    this.columns.forEach((column, at) => setCell(cells[at], column.cell(item)));
    if (focusedCell >= 0 && !row.contains(document.activeElement)) {
      const control = cells[focusedCell].querySelector('button, a, input, select, [tabindex]');
      (control || this.scroller).focus({ preventScroll: true });
    }
  }
}

/** Text is written only when it differs (most cells, most frames); anything else replaces the children. */
function setCell(cell, content) {
  if (typeof content === 'string' || typeof content === 'number') {
    const text = String(content);
    if (cell.childElementCount || cell.textContent !== text) cell.textContent = text;
  } else {
    fill(cell, content);
  }
}
