/** Broken copies of the shipped example point-table workbook, for the import error report. */
import ExcelJS from 'exceljs';
import { resolve } from 'node:path';

export const EXAMPLE_WORKBOOK = resolve(import.meta.dirname, '..', '..', 'config', 'examples', 'modbus-v3-example.xlsx');

/** The example with a bad channel IP (row 2) and a bad register address and data type (point row 3). */
export async function brokenWorkbook(file: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(EXAMPLE_WORKBOOK);
  const [channels, points] = wb.worksheets;
  channels!.getRow(2).getCell(3).value = '999.1.1.1';
  points!.getRow(3).getCell(4).value = 'zz';
  points!.getRow(3).getCell(6).value = 'int99';
  await wb.xlsx.writeFile(file);
}
