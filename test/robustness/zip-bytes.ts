import zlib from 'node:zlib';

/**
 * Zip files built byte by byte, for workbooks no spreadsheet program would write: invalid UTF-8,
 * a DOCTYPE, decompression bombs (an entry whose deflate stream is one block repeated), sizes
 * that lie. Deflate with node:zlib; no zip library.
 */

export interface ZipEntry {
  name: string;
  /** The content, deflated here. */
  data?: Buffer | string;
  /** An already deflated stream, with the size it claims to inflate to. */
  deflated?: { bytes: Buffer; size: number };
}

export function zipBytes(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const raw = e.data === undefined ? undefined : Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8');
    const bytes = e.deflated ? e.deflated.bytes : zlib.deflateRawSync(raw ?? Buffer.alloc(0));
    const size = e.deflated ? e.deflated.size : (raw?.length ?? 0);
    // A bomb's CRC is never reached: the reader stops long before the end of the entry.
    const crc = raw ? zlib.crc32(raw) : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(bytes.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, bytes);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(bytes.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + bytes.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * A deflate stream of `prefix`, then `unit` `copies` times, then `suffix`, built in
 * milliseconds: each part is deflated once from a fresh state and ends on a full flush, so the
 * unit's bytes can simply be repeated.
 */
export function repeatedDeflate(prefix: string, unit: string, copies: number, suffix: string): { bytes: Buffer; size: number } {
  const flush = (s: string): Buffer => zlib.deflateRawSync(Buffer.from(s, 'utf8'), { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  const head = flush(prefix);
  const body = flush(unit);
  const tail = zlib.deflateRawSync(Buffer.from(suffix, 'utf8'));
  const bytes = Buffer.concat([head, ...Array.from({ length: copies }, () => body), tail]);
  const size = Buffer.byteLength(prefix) + copies * Buffer.byteLength(unit) + Buffer.byteLength(suffix);
  return { bytes, size };
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';

export const SHEET_HEAD = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet ${NS}><sheetData>`;
export const SHEET_TAIL = '</sheetData></worksheet>';

/** The parts of a minimal workbook around its sheets (`xl/worksheets/sheetN.xml`) and shared strings. */
export function workbookParts(sheets: Array<{ name: string; xml?: string; entry?: ZipEntry }>, sharedStrings?: ZipEntry | string): ZipEntry[] {
  const rels = sheets
    .map(
      (_, i) =>
        `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
    )
    .join('');
  const ssRel =
    sharedStrings === undefined
      ? ''
      : '<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>';
  const entries: ZipEntry[] = [
    {
      name: '[Content_Types].xml',
      data: '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
    },
    {
      name: '_rels/.rels',
      data: '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    },
    {
      name: 'xl/workbook.xml',
      data: `<?xml version="1.0" encoding="UTF-8"?><workbook ${NS}><sheets>${sheets.map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')}</sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels}${ssRel}</Relationships>`,
    },
  ];
  sheets.forEach((s, i) => {
    const name = `xl/worksheets/sheet${i + 1}.xml`;
    entries.push(s.entry ? { ...s.entry, name } : { name, data: s.xml ?? `${SHEET_HEAD}${SHEET_TAIL}` });
  });
  if (sharedStrings !== undefined) {
    entries.push(
      typeof sharedStrings === 'string' ? { name: 'xl/sharedStrings.xml', data: sharedStrings } : { ...sharedStrings, name: 'xl/sharedStrings.xml' },
    );
  }
  return entries;
}

/** An inline-string cell's XML (the text escaped). */
export function strCell(ref: string, text: string): string {
  return `<c r="${ref}" t="inlineStr"><is><t>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</t></is></c>`;
}

/** A row of inline-string cells from column A. */
export function strRow(row: number, texts: string[]): string {
  return `<row r="${row}">${texts.map((t, i) => strCell(`${String.fromCharCode(65 + i)}${row}`, t)).join('')}</row>`;
}
