import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/config/pipeline-file.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { makeUscc } from '../../src/link/codes.ts';
import { silentLogger } from '../../src/core/log.ts';
import { query, workdir } from './support.ts';

// Found on generated inboxes of 3,000 and 5,000 employers (seeds 11 and 2): taxpayers registered
// under an ID number have no district, and the name step for them stripped region prefixes of the
// whole country, so 安远 and 顺昌 (counties in Jiangxi and Fujian) were cut from 苏州市虎丘区安远烟酒店
// and 苏州市虎丘区顺昌烟酒店, both became 烟酒店, and neither linked; and 常熟市汇优建材经营部 beside
// 张家港市汇优建材经营部 was "not unique in the city" although its prefix names its district. The
// unlinked taxpayers became employers of their own and insured businesses showed up as tax_not_insured.
describe('linking taxpayers that have no district (registered under an ID number)', () => {
  it('strips only the region prefixes of the city, and uses the district the prefix names', async () => {
    const work = workdir({ asOf: '2026-10-31' });
    const reg = [
      [makeUscc('9', '2', '320581', 'MA7RNK3T'), '常熟市汇优建材经营部', '320581'],
      [makeUscc('9', '2', '320582', 'MA8QPL4W'), '张家港市汇优建材经营部', '320582'],
      [makeUscc('9', '2', '320505', 'MA9HJK5X'), '苏州市虎丘区安远烟酒店（个体工商户）', '320505'],
      [makeUscc('9', '2', '320505', 'MA2MNP6Y'), '苏州市虎丘区顺昌烟酒店（个体工商户）', '320505'],
    ];
    fs.writeFileSync(
      path.join(work.inbox, '市场监管_个体工商户_20261031.csv'),
      `${['统一社会信用代码,名称,企业类型,成立日期,登记状态,区划代码', ...reg.map(([u, n, d]) => `${u},${n},个体工商户,2015-03-01,存续,${d}`)].join('\n')}\n`,
    );
    const tax = [
      ['32058119711115138100', '常熟市汇优建材经营部'],
      ['32058219610914044X03', '张家港市汇优建材经营部'],
      ['32050519730602075603', '苏州市虎丘区安远烟酒店（个体工商户）'],
      ['32050519840601403201', '苏州市虎丘区顺昌烟酒店'],
      // Only the city in its name, and two such shops in the city: no way to tell, stays apart.
      ['32050819900101123400', '苏州市汇优建材经营部'],
    ];
    fs.writeFileSync(
      path.join(work.inbox, '税务登记_2026-10.csv'),
      `${['纳税人识别号|纳税人名称|纳税人状态|登记日期', ...tax.map(([id, n]) => `${id}|${n}|正常|2015-04-01`)].join('\n')}\n`,
    );
    const result = await runPipeline(loadPipeline(work.pipelineFile), { logger: silentLogger() });
    expect(result.ingest?.loaded).toBe(2);

    const links = await query(
      work.database,
      `SELECT t.record_key AS taxpayer, r.record_key AS uscc, t.method
       FROM employer_links t LEFT JOIN employer_links r ON r.employer_id = t.employer_id AND r.source = 'registration'
       WHERE t.source = 'tax_registration' ORDER BY t.record_key`,
    );
    expect(links).toEqual(
      [
        { taxpayer: '32058119711115138100', uscc: reg[0]?.[0], method: 'name_city' },
        { taxpayer: '32058219610914044X03', uscc: reg[1]?.[0], method: 'name_city' },
        { taxpayer: '32050519730602075603', uscc: reg[2]?.[0], method: 'name_city' },
        { taxpayer: '32050519840601403201', uscc: reg[3]?.[0], method: 'name_city' },
        { taxpayer: '32050819900101123400', uscc: null, method: 'own' },
      ].sort((a, b) => a.taxpayer.localeCompare(b.taxpayer)),
    );
  });
});
