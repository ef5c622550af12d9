/**
 * The demo community's roster: 120 households in 4 buildings (2 units × 5 floors × 3 doors),
 * areas 56.20–143.80 m², realistic names, some owners with two units and a developer holding
 * unsold units. Deterministic, so every fresh demo looks the same.
 */
import { formatArea, formatInvitationCode, formatAddress, type RawRosterRow } from '@linli/shared';
import type { Logger } from '../logger.ts';
import type { RosterService } from './roster.service.ts';
import { prng } from '@linli/shared/common/prng';

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤';
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '秀英',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀兰',
  '霞',
  '平',
  '刚',
  '桂英',
  '建华',
  '志强',
  '晓东',
  '海燕',
  '红梅',
  '国庆',
  '玉兰',
  '文博',
  '子涵',
  '欣怡',
  '浩然',
  '梓萱',
  '宇轩',
  '一诺',
  '雨桐',
  '建国',
  '淑华',
  '卫东',
  '春梅',
  '振宇',
  '丽华',
  '德明',
  '美玲',
  '俊杰',
  '晓峰',
  '慧敏',
  '志刚',
];
export const DEMO_DEVELOPER = '深圳海月置业有限公司';

/** The demo roster rows (the same shape a CSV import produces). */
export function demoRosterRows(): RawRosterRow[] {
  const rnd = prng(20240611);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const used = new Set<string>();
  const name = () => {
    for (;;) {
      const n = pick([...SURNAMES]) + pick(GIVEN);
      if (!used.has(n)) {
        used.add(n);
        return n;
      }
    }
  };
  // Door 01 faces south and is the largest; door 03 the smallest.
  const ranges: Record<number, [number, number]> = { 1: [11800, 14380], 2: [8600, 11200], 3: [5620, 7600] };
  const rows: RawRosterRow[] = [];
  let line = 2;
  for (let b = 1; b <= 4; b++)
    for (let u = 1; u <= 2; u++)
      for (let floor = 1; floor <= 5; floor++)
        for (let door = 1; door <= 3; door++) {
          const [lo, hi] = ranges[door]!;
          const centiares = lo + Math.floor(rnd() * (hi - lo + 1));
          rows.push({
            line: line++,
            building: String(b),
            unit: String(u),
            room: `${floor}0${door}`,
            area: formatArea(centiares),
            owner: name(),
            phone: rnd() < 0.6 ? `13${Math.floor(rnd() * 10)}${String(Math.floor(rnd() * 1e8)).padStart(8, '0')}` : undefined,
          });
        }
  // The extremes of the range exist exactly.
  rows[2]!.area = '56.20';
  rows[rows.length - 3]!.area = '143.80';
  // Eight owners hold a second unit (Art. 278: they count once by number, twice by area).
  for (let i = 0; i < 8; i++) rows[10 + i * 13]!.owner = rows[5 + i * 13]!.owner;
  // Unsold units stay with the developer (one owner however many units).
  for (const i of [58, 59, 119]) rows[i]!.owner = DEMO_DEVELOPER;
  return rows;
}

/** Seeds the demo roster; in dev, logs the first households' invitation codes to try the slips. */
export async function seedDemoRoster(roster: RosterService, cid: string, logger: Logger, log: boolean): Promise<void> {
  const result = await roster.importRows(cid, demoRosterRows());
  if (result.rejected.length > 0) logger.error({ rejected: result.rejected }, 'demo roster rows refused');
  if (!log) return;
  const households = await roster.listHouseholds(cid);
  const lines = households
    .slice(0, 6)
    .map((h) => `  ${formatAddress(h).padEnd(10)} ${formatInvitationCode(h.invitationCode!)}  /i/${h.invitationCode}`)
    .join('\n');
  logger.info(`Demo invitation codes (first households; open /i/<code> on a phone):\n${lines}`);
}
