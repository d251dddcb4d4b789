import { describe, expect, it } from 'vitest';
import { industryByCode, industryDivision, isPneumoconiosisPriority, isWorkInjuryHighRisk, loadIndustries } from '../../src/reference/industries.ts';

describe('industries.csv', () => {
  const industries = loadIndustries();

  it('holds the 20 sections and 97 divisions of GB/T 4754-2017', () => {
    const sections = industries.filter((i) => i.level === 'section');
    const divisions = industries.filter((i) => i.level === 'division');
    expect(sections.map((s) => s.code).join('')).toBe('ABCDEFGHIJKLMNOPQRST');
    expect(divisions).toHaveLength(97);
    expect(divisions.map((d) => d.code)).toEqual(Array.from({ length: 97 }, (_, i) => String(i + 1).padStart(2, '0')));
  });

  it('uses the official names', () => {
    expect(industryByCode('A')?.name).toBe('农、林、牧、渔业');
    expect(industryByCode('06')?.name).toBe('煤炭开采和洗选业');
    expect(industryByCode('26')?.name).toBe('化学原料和化学制品制造业');
    expect(industryByCode('50')?.name).toBe('建筑装饰、装修和其他建筑业');
    expect(industryByCode('S')?.name).toBe('公共管理、社会保障和社会组织');
    expect(industryByCode('97')?.parent).toBe('T');
  });

  it('puts each division in its section', () => {
    expect(industryByCode('13')?.parent).toBe('C');
    expect(industryByCode('43')?.parent).toBe('C');
    expect(industryByCode('44')?.parent).toBe('D');
    expect(industryByCode('47')?.parent).toBe('E');
    expect(industryByCode('51')?.parent).toBe('F');
  });

  it('flags exactly the listed industries', () => {
    const highRisk = industries.filter((i) => i.workInjuryHighRisk).map((i) => i.code);
    const priority = industries.filter((i) => i.pneumoconiosisPriority).map((i) => i.code);
    expect(highRisk).toEqual(['B', '06', '07', '08', '09', '10', '11', '12', '25', '26', '30', '31', '32', 'E', '47', '48', '49', '50']);
    expect(priority).toEqual(['08', '09', '10', '11', '12', '30', '31', '32']);
  });
});

describe('industryDivision', () => {
  it.each([
    ['C2614', { section: 'C', division: '26' }],
    ['C261', { section: 'C', division: '26' }],
    ['E47', { section: 'E', division: '47' }],
    ['4710', { section: 'E', division: '47' }],
    ['0111', { section: 'A', division: '01' }],
    ['A0111', { section: 'A', division: '01' }],
    ['26', { section: 'C', division: '26' }],
    ['6', { section: 'B', division: '06' }],
    ['C', { section: 'C', division: null }],
    ['c 26.14', { section: 'C', division: '26' }],
    ['Ｃ２６１４', { section: 'C', division: '26' }],
  ])('maps %s', (code, expected) => {
    expect(industryDivision(code)).toEqual(expected);
  });

  it.each(['', 'A2614', '98', 'Z', 'C26140', 'chemical', null, undefined])('rejects %s', (code) => {
    expect(industryDivision(code)).toBeUndefined();
  });
});

describe('risk flags', () => {
  it('C2614 (C26) is work-injury high-risk, not pneumoconiosis priority', () => {
    expect(isWorkInjuryHighRisk('C2614')).toBe(true);
    expect(isPneumoconiosisPriority('C2614')).toBe(false);
  });

  it('4710 (E47) is work-injury high-risk', () => {
    expect(isWorkInjuryHighRisk('4710')).toBe(true);
    expect(isPneumoconiosisPriority('4710')).toBe(false);
  });

  it('B0810 is both', () => {
    expect(isWorkInjuryHighRisk('B0810')).toBe(true);
    expect(isPneumoconiosisPriority('B0810')).toBe(true);
  });

  it('A0111 is neither', () => {
    expect(isWorkInjuryHighRisk('A0111')).toBe(false);
    expect(isPneumoconiosisPriority('A0111')).toBe(false);
  });

  it('a section alone uses the section flag; unknown codes are not flagged', () => {
    expect(isWorkInjuryHighRisk('B')).toBe(true);
    expect(isWorkInjuryHighRisk('C')).toBe(false);
    expect(isPneumoconiosisPriority('B')).toBe(false);
    expect(isWorkInjuryHighRisk('XYZ')).toBe(false);
    expect(isWorkInjuryHighRisk(null)).toBe(false);
  });
});
