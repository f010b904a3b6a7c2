/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. A field a spreadsheet
 * would run as a formula (=, +, -, @ first) is prefixed with an apostrophe: names and titles are users'.
 */
function field(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csvOf(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return [headers, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}

/** A button that downloads the table as `filename` (made when clicked, from the rows shown). */
export function csvButton(filename: string, headers: readonly string[], rows: () => readonly (readonly string[])[]) {
  const button = document.createElement('button');
  Object.assign(button, { type: 'button', className: 'csv', textContent: 'CSV' });
  button.setAttribute('aria-label', `Download ${filename}`);
  button.addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([csvOf(headers, rows())], { type: 'text/csv;charset=utf-8' }));
    const link = Object.assign(document.createElement('a'), { href: url, download: filename });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  });
  return button;
}
