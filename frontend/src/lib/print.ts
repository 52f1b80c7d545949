// Printing a page of the record. One function, so that the desktop window
// (which may print differently from a browser) changes only this.

/** Opens the print dialog for the current page. */
export function printPage(): void {
  window.print();
}
