/**
 * The optional targets file of a generated inbox (目标任务_<year>.csv, `recon generate --targets`):
 * per district, the year's targets set around what the generated employers reach, so some
 * districts are ahead and some behind. It draws from its own random stream ("targets") and
 * reads the clean model only, so the other files are byte-identical with or without it.
 */
import { join } from 'node:path';
import type { City } from './city.ts';
import { monthOfDay } from './dates.ts';
import type { Employer } from './model.ts';
import { Rng } from './random.ts';
import { DelimitedWriter } from './writers.ts';

/** What one district reaches in the clean model (the basis of its targets). */
interface DistrictTally {
  units: number;
  /** Active employers that should be insured, roughly: every active one but individual businesses. */
  liable: number;
  persons: number;
  /** Paid in the as-of year up to the last exported month, in cents. */
  paidCents: number;
}

/** Collects per-district actuals while the employers stream past, then writes the targets file. */
export class TargetsTally {
  private readonly byDistrict = new Map<string, DistrictTally>();
  private readonly year: number;

  constructor(
    private readonly city: City,
    asOf: number,
    private readonly lastMonth: number,
  ) {
    this.year = Math.floor(monthOfDay(asOf) / 12);
  }

  /** Adds an employer: insured when its registry is active and pension (110) is active. */
  add(e: Employer): void {
    const t = this.byDistrict.get(e.districtCode) ?? { units: 0, liable: 0, persons: 0, paidCents: 0 };
    const pension = e.si?.enrollments.find((x) => x.type === '110' && x.status === 'active');
    const active = e.registry.statusClass === 'active';
    if (pension && active) {
      t.units++;
      t.persons += pension.insuredCount;
    }
    if (active && (pension || e.kind !== 'individual')) t.liable++;
    for (const p of e.si?.payments ?? []) if (Math.floor(p.month / 12) === this.year && p.month <= this.lastMonth) t.paidCents += p.paid;
    this.byDistrict.set(e.districtCode, t);
  }

  /**
   * Writes `<out>/目标任务_<year>.csv` (UTF-8 with BOM, a title row): 区县 (names, one district by
   * its code), 年度, 参保单位目标, 参保人数目标, 参保率目标 (as 95%), 征缴目标（万元）. Returns the file name and its rows.
   */
  async write(out: string, seed: number): Promise<{ file: string; rows: number }> {
    const rng = new Rng(seed, 'targets');
    const name = `目标任务_${this.year}.csv`;
    const writer = new DelimitedWriter(join(out, name), 'utf8bom', ',');
    writer.write([`${this.city.name}${this.year}年全民参保扩面征缴目标任务`]);
    writer.write(['区县', '年度', '参保单位目标', '参保人数目标', '参保率目标', '征缴目标（万元）']);
    let rows = 0;
    this.city.districts.forEach((d, i) => {
      const t = this.byDistrict.get(d.code);
      if (t === undefined || t.units === 0) return;
      // Targets between 80% and 125% of what the district reaches: completion spreads around 100%.
      const factor = (): number => 0.8 + rng.int(0, 45) / 100;
      const units = Math.max(1, Math.round(t.units * factor()));
      const persons = Math.max(1, Math.round(t.persons * factor()));
      const coverage = Math.min(99, Math.max(1, Math.round(((100 * t.units) / Math.max(1, t.liable)) * factor())));
      const wan = Math.max(0.01, Math.round((t.paidCents / 100 / 10000) * factor() * 100) / 100);
      writer.write([i === 0 ? d.code : d.name, String(this.year), String(units), String(persons), `${coverage}%`, wan.toFixed(2)]);
      rows++;
    });
    await writer.close();
    return { file: name, rows };
  }
}
