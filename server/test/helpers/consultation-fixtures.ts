/**
 * Plain-data fixtures for the consultation documents: a consultation with three clause questions
 * and a three-candidate committee election, and N households in address order with paper codes.
 * Used by the document tests and the consultation bench (no server needed).
 */
import { encodePaperCode, type Consultation, type ConsultationResult } from '@linli/shared';
import type { PaperHousehold } from '../../src/consultations/documents/papers.pdf.ts';

export const FIXTURE_CODE = 'K7QM';

export function fixtureConsultation(over: Partial<Consultation> = {}): Consultation {
  return {
    id: 'c_fixture',
    communityId: 'sunny',
    code: FIXTURE_CODE,
    title: '关于通过《阳光花园管理规约》及选举第一届业主委员会的书面征求意见',
    notice:
      '各位业主：\n根据《民法典》第二百七十八条，现就以下事项书面征求全体业主意见。请于截止时间前通过手机、纸质表决票或现场会议表决。',
    organiser: { kind: 'owners_committee', name: '阳光花园业主大会筹备组' },
    status: 'open',
    opensAt: '2026-12-01T09:00:00.000+08:00',
    closesAt: '2026-12-20T18:00:00.000+08:00',
    timeZone: 'Asia/Shanghai',
    secret: false,
    questions: [
      { id: 'q1', title: '第一条 停车位的分配办法', kind: 'yes_no_abstain', rule: 'civil_code_278_ordinary' },
      { id: 'q2', title: '第二条 维修资金的使用', kind: 'yes_no_abstain', rule: 'civil_code_278_major' },
      { id: 'q3', title: '第三条 宠物管理', kind: 'yes_no_abstain', rule: 'civil_code_278_ordinary' },
      {
        id: 'q4',
        title: '选举第一届业主委员会委员（应选 2 名）',
        kind: 'election',
        rule: 'civil_code_278_ordinary',
        seats: 2,
        options: [
          { id: 'cand_a', label: '王秀英' },
          { id: 'cand_b', label: '李建国' },
          { id: 'cand_c', label: '张丽华' },
        ],
      },
    ],
    attachments: [],
    extensions: [],
    createdAt: '2026-11-25T10:00:00.000+08:00',
    createdBy: 'u_admin',
    eligibleCount: 0,
    ...over,
  };
}

/** N households: buildings of 4 units × 20 floors × 4 rooms (320 a building), areas 60.00–139.99 ㎡. */
export function fixtureHouseholds(
  n: number,
  code = FIXTURE_CODE,
): (PaperHousehold & { unit: string; room: string; floor: string; serial: number; phone: string })[] {
  const out = [];
  for (let i = 0; i < n; i++) {
    const building = String(Math.floor(i / 320) + 1);
    const unit = String(Math.floor((i % 320) / 80) + 1);
    const floor = String(Math.floor((i % 80) / 4) + 1);
    const room = `${floor}0${(i % 4) + 1}`;
    const serial = i + 1;
    out.push({
      householdId: `h${serial}`,
      building,
      unit,
      floor,
      room,
      address: `${building}栋${unit}单元${room}`,
      areaCentiares: 6000 + ((i * 7919) % 8000),
      owner: `业主${serial}`,
      phone: `1380000${String(serial).padStart(4, '0')}`,
      serial,
      paperCode: encodePaperCode(code, serial),
    });
  }
  return out;
}

export type FixtureResult = ConsultationResult;
