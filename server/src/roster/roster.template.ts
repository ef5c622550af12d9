/**
 * The roster template an admin downloads and fills in: the header the importer reads (in Chinese)
 * and nothing else on the first sheet (example rows there would be imported as households by
 * mistake); the .xlsx has a second sheet with the rules in plain words and two example rows.
 */
import { strToU8, zipSync } from 'fflate';

export const TEMPLATE_HEADER = ['楼栋', '单元', '房号', '面积', '业主', '电话'];
const EXAMPLES: (string | number)[][] = [
  ['1', '1', '101', 88.5, '张三', '13800138000'],
  ['1', '2', '201', 120, '李四', ''],
];
const RULES = [
  '填写说明',
  '1. 第一行是表头，请不要修改：楼栋、单元、房号、面积、业主、电话。',
  '2. 每户写一行。同一位业主有几套房，就写几行，姓名写得完全一样。',
  '3. 面积填不动产权证上的建筑面积，单位是平方米，只写数字，最多两位小数，例如 88.5。',
  '4. 电话可以不填。手机号是以 1 开头的 11 位数字；座机请带区号，例如 010-12345678。',
  '5. 导入前会先预览：有问题的行会用中文说明原因，不会写入；面积特别大或特别小的行会提醒您核对。',
  '6. 最多 20000 行、5 MB。也可以另存为 CSV（UTF-8 或 GBK 都可以）。',
  '',
  '示例（请在“名册”表里填写，不要填在这里）：',
];

export const TEMPLATE_NAME = '住户名册模板';

/** UTF-8 with a BOM, so that Excel on Windows opens the Chinese header correctly. */
export function rosterTemplateCsv(): Buffer {
  return Buffer.from(`\uFEFF${TEMPLATE_HEADER.join(',')}\r\n`, 'utf8');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function colName(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** Cells as text (inline strings: no shared-strings part), except numbers (the area). */
function sheetXml(rows: (string | number)[][], widths: number[]): string {
  const body = rows
    .map((row, r) => {
      const cells = row
        .map((v, c) => {
          const ref = `${colName(c)}${r + 1}`;
          if (v === '') return '';
          if (typeof v === 'number') return `<c r="${ref}"><v>${v}</v></c>`;
          return `<c r="${ref}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`;
        })
        .join('');
      return `<row r="${r + 1}">${cells}</row>`;
    })
    .join('');
  const cols = widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
    `<cols>${cols}</cols><sheetData>${body}</sheetData></worksheet>`
  );
}

/** A two-sheet workbook: 名册 (read by the importer: the first sheet) and 填写说明. */
export function rosterTemplateXlsx(): Buffer {
  const ns = 'http://schemas.openxmlformats.org/package/2006/relationships';
  const files: Record<string, Uint8Array> = {
    '[Content_Types].xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    ),
    '_rels/.rels': strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="${ns}">` +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    ),
    'xl/workbook.xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
        '<sheets><sheet name="名册" sheetId="1" r:id="rId1"/><sheet name="填写说明" sheetId="2" r:id="rId2"/></sheets></workbook>',
    ),
    'xl/_rels/workbook.xml.rels': strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="${ns}">` +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/></Relationships>',
    ),
    'xl/worksheets/sheet1.xml': strToU8(sheetXml([TEMPLATE_HEADER], [8, 8, 10, 10, 16, 16])),
    'xl/worksheets/sheet2.xml': strToU8(sheetXml([...RULES.map((r) => [r]), TEMPLATE_HEADER, ...EXAMPLES], [12, 8, 10, 10, 16, 16])),
  };
  return Buffer.from(zipSync(files));
}
