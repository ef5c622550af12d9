/**
 * Demo problems ledger: sixteen problems of 海月花园 raised over the last four months, taken through
 * the same rules as real ones (accepted, assigned, resolved, rated, one rejected, three overdue),
 * with the dashboard's monthly counters recorded at the times they happened.
 */
import {
  ProblemCreate,
  ProblemPatch,
  chinaToday,
  changeProblem,
  raiseProblem,
  rateProblem,
  type Meeting,
  type Problem,
  type ResponsibleParty,
} from '@linli/shared';
import type { AuthService } from '../auth/auth.service.ts';
import type { StoredUser } from '../auth/auth.repository.ts';
import { newId } from '../common/ids.ts';
import type { StatsRepository } from '../dashboard/stats.repository.ts';
import type { Logger } from '../logger.ts';
import { DEMO_LOGINS } from '../members/members.demo.ts';
import type { ProblemsRepository } from './problems.repository.ts';

const DAY = 24 * 3600_000;
const L = DEMO_LOGINS;

interface Step {
  daysAgo: number;
  by: string;
  status?: ProblemPatch['status'];
  responsible?: ResponsibleParty;
  /** Due date as days before today (negative: in the future). */
  dueDaysAgo?: number;
  note?: string;
  /** Taken up at the demo's finished meeting. */
  atMeeting?: boolean;
}

interface Spec {
  title: string;
  description: string;
  building?: string;
  tags: ProblemCreate['tags'];
  by: string;
  daysAgo: number;
  steps: Step[];
  rating?: { daysAgo: number; stars: number; comment?: string };
}

const accept = (
  daysAgo: number,
  by: string,
  responsible: ResponsibleParty,
  dueDaysAgo: number,
  note?: string,
  atMeeting?: boolean,
): Step => ({
  daysAgo,
  by,
  status: 'accepted',
  responsible,
  dueDaysAgo,
  note,
  atMeeting,
});
const progress = (daysAgo: number, by: string, note?: string): Step => ({ daysAgo, by, status: 'in_progress', note });
const resolve = (daysAgo: number, by: string, note: string): Step => ({ daysAgo, by, status: 'resolved', note });

export const DEMO_PROBLEMS: Spec[] = [
  {
    title: '3号楼电梯异响',
    description: '3栋2单元电梯运行时有明显的金属摩擦声，老人不敢坐。',
    building: '3',
    tags: ['project'],
    by: L.buildingLeaders[2],
    daysAgo: 118,
    steps: [
      accept(116, L.propertyFirm, 'property_firm', 90, '已联系维保单位上门检查'),
      progress(112, L.propertyFirm, '需更换导靴，配件已订'),
      resolve(95, L.propertyFirm, '已更换导靴并完成年检'),
    ],
    rating: { daysAgo: 93, stars: 4, comment: '现在安静多了，就是等配件等得有点久。' },
  },
  {
    title: '路灯不亮',
    description: '2栋与3栋之间的三盏路灯坏了一个多星期，晚上回家很黑。',
    tags: ['need'],
    by: L.owner,
    daysAgo: 104,
    steps: [
      accept(103, L.propertyFirm, 'property_firm', 97),
      progress(103, L.propertyFirm, '灯具已订'),
      resolve(101, L.propertyFirm, '已更换灯具'),
    ],
    rating: { daysAgo: 100, stars: 5, comment: '修得很快，谢谢！' },
  },
  {
    title: '地下车库积水',
    description: '下雨后地下车库B区积水到脚踝，排水沟堵塞。',
    tags: ['project'],
    by: L.ownersCommittee,
    daysAgo: 96,
    steps: [
      accept(94, L.partyBranch, 'property_firm', 70, '雨季前必须解决'),
      progress(90, L.propertyFirm, '疏通排水沟，加装一台抽水泵'),
      resolve(62, L.propertyFirm, '排水沟已疏通，抽水泵已安装'),
    ],
    rating: { daysAgo: 55, stars: 3, comment: '大雨时还是有点渗水，希望继续关注。' },
  },
  {
    title: '快递柜占用消防通道',
    description: '2栋北侧新放的快递柜挡住了消防通道一半宽度。',
    building: '2',
    tags: ['need'],
    by: L.resident,
    daysAgo: 80,
    steps: [
      accept(79, L.propertyFirm, 'property_firm', 72, '与快递柜运营方协商移位'),
      progress(77, L.propertyFirm),
      resolve(74, L.propertyFirm, '快递柜已移至2栋东侧空地'),
    ],
    rating: { daysAgo: 73, stars: 5 },
  },
  {
    title: '小区外马路摊贩噪音',
    description: '东门外马路夜市摊贩到很晚还在吆喝。',
    tags: ['need'],
    by: L.owner,
    daysAgo: 70,
    steps: [{ daysAgo: 68, by: L.partyBranch, status: 'rejected', note: '小区外道路属街道城管职责，已转交街道办处理。' }],
  },
  {
    title: '广场舞噪音',
    description: '中心广场晚上广场舞音响太大，影响1栋、2栋低层住户休息。',
    tags: ['need'],
    by: L.notable,
    daysAgo: 62,
    steps: [
      accept(60, L.partyBranch, 'party_branch', 30, '党支部牵头与舞蹈队沟通'),
      progress(55, L.partyBranch, '约定晚上8点半后关音响，音量不超过55分贝'),
      resolve(33, L.partyBranch, '试行一个月，无新的投诉'),
    ],
    rating: { daysAgo: 30, stars: 4, comment: '双方都能接受，邻里关系也缓和了。' },
  },
  {
    title: '电动车楼道充电',
    description: '1栋楼道里有人拉飞线给电动车充电，存在火灾隐患。',
    building: '1',
    tags: ['need', 'project'],
    by: L.buildingLeaders[0],
    daysAgo: 50,
    steps: [
      accept(47, L.ownersCommittee, 'owners_committee', 10, '先劝导清理飞线，同时规划集中充电桩'),
      progress(40, L.ownersCommittee),
      { daysAgo: 21, by: L.facilitator, note: '议事会讨论充电桩选址，形成动议', atMeeting: true },
    ],
  },
  {
    title: '开放闲置活动室做“四点半课堂”',
    description: '社区活动中心一楼活动室平时空着，可以给放学的孩子写作业，有退休教师愿意义务看护。',
    tags: ['resource', 'project'],
    by: L.notable,
    daysAgo: 45,
    steps: [
      accept(42, L.partyBranch, 'party_branch', -20, '贤达能人林老师牵头，党支部协调场地'),
      progress(30, L.partyBranch, '已招募6位志愿者'),
    ],
  },
  {
    title: '垃圾分类点异味',
    description: '4栋旁的垃圾分类点夏天异味很重，清运不及时。',
    building: '4',
    tags: ['need'],
    by: L.buildingLeaders[3],
    daysAgo: 40,
    steps: [
      accept(38, L.propertyFirm, 'property_firm', 15, '增加清运频次并每日冲洗'),
      progress(36, L.propertyFirm, '清运改为每日两次，冲洗设备待采购'),
    ],
  },
  {
    title: '绿化带被占种菜',
    description: '2栋南侧绿化带被个别住户开垦种菜，还施农家肥。',
    building: '2',
    tags: ['need'],
    by: L.ownersCommittee,
    daysAgo: 35,
    steps: [
      accept(33, L.partyBranch, 'building_leader', 12, '由2栋楼栋长上门沟通'),
      progress(30, L.partyBranch, '2栋楼栋长已上门沟通三次'),
      resolve(10, L.partyBranch, '住户已自行恢复绿化，另在屋顶开辟共享菜园'),
    ],
  },
  {
    title: '楼道堆放杂物',
    description: '1栋、3栋多个楼层楼道堆放纸箱和旧家具。',
    building: '1',
    tags: ['need'],
    by: L.buildingLeaders[0],
    daysAgo: 30,
    steps: [
      accept(21, L.facilitator, 'building_leader', -9, '议事会约定清理时间，楼栋长逐户提醒', true),
      progress(18, L.partyBranch, '已清理1栋，3栋进行中'),
    ],
  },
  {
    title: '小区大门门禁失灵',
    description: '南门人脸识别门禁经常识别不了，外来人员随意进出。',
    tags: ['need', 'project'],
    by: L.owner,
    daysAgo: 25,
    steps: [accept(21, L.facilitator, 'property_firm', 5, '议事会受理，物业两周内给出维修或更换方案', true)],
  },
  {
    title: '宠物粪便无人清理',
    description: '中心花园草地上经常有狗粪，孩子在那里玩。',
    tags: ['need'],
    by: L.resident,
    daysAgo: 24,
    steps: [accept(21, L.facilitator, 'owners_committee', -20, '写入邻里公约第五条，业委会组织宣传', true)],
  },
  {
    title: '儿童游乐设施损坏',
    description: '中心花园滑梯有一处裂口，容易划伤孩子。',
    tags: ['need'],
    by: L.owner,
    daysAgo: 14,
    steps: [],
  },
  {
    title: '外墙瓷砖脱落',
    description: '4栋西侧外墙有瓷砖脱落，楼下是人行道。',
    building: '4',
    tags: ['project'],
    by: L.buildingLeaders[3],
    daysAgo: 12,
    steps: [accept(11, L.propertyFirm, 'property_firm', -14, '已拉警戒线，维修可能需动用维修资金，提交下次议事会')],
  },
  {
    title: '高空抛物隐患',
    description: '3栋楼下多次发现从高层扔下的杂物，建议加装监控。',
    building: '3',
    tags: ['need', 'project'],
    by: L.buildingLeaders[2],
    daysAgo: 8,
    steps: [],
  },
];

export interface ProblemsDemoDeps {
  repo: ProblemsRepository;
  auth: AuthService;
  stats: StatsRepository;
  /** The community's meetings (the finished demo meeting takes up some problems). */
  meetings: (cid: string) => Promise<Meeting[]>;
}

/** 10:00 China time, `daysAgo` days before `now`. */
function dayAt(now: number, daysAgo: number): number {
  const chinaMidnight = Math.floor((now + 8 * 3600_000) / DAY) * DAY - 8 * 3600_000;
  return chinaMidnight - daysAgo * DAY + 10 * 3600_000;
}

export async function seedDemoProblems(deps: ProblemsDemoDeps, cid: string, logger: Logger, now = Date.now()): Promise<Problem[]> {
  const { repo, auth, stats } = deps;
  const users = new Map<string, StoredUser>();
  for (const login of new Set(DEMO_PROBLEMS.flatMap((s) => [s.by, ...s.steps.map((x) => x.by)]))) {
    const u = await auth.findByLogin(login);
    if (u) users.set(login, u);
  }
  if (users.size === 0) {
    logger.warn('demo problems skipped: demo accounts missing');
    return [];
  }
  const meeting = (await deps.meetings(cid)).find((m) => m.status === 'closed');
  const person = (login: string) => users.get(login) ?? [...users.values()][0]!;
  const out: Problem[] = [];
  for (const spec of DEMO_PROBLEMS) {
    try {
      out.push(await seedOne(spec));
    } catch (err) {
      // A broken demo entry must not keep the server from starting.
      logger.error({ err, title: spec.title }, 'demo problem not seeded');
    }
  }
  return out;

  async function seedOne(spec: Spec): Promise<Problem> {
    const raiser = person(spec.by);
    const raisedAt = dayAt(now, spec.daysAgo);
    let p = raiseProblem(
      ProblemCreate.parse({ title: spec.title, description: spec.description, building: spec.building, tags: spec.tags }),
      {
        id: newId(),
        communityId: cid,
        actor: await auth.actor(raiser, cid),
        by: { userId: raiser.id, name: raiser.displayName },
        at: raisedAt,
      },
    );
    let resolvedAt: number | null = null;
    for (const [i, s] of spec.steps.entries()) {
      const u = person(s.by);
      const at = dayAt(now, s.daysAgo) + (i + 1) * 60_000;
      const patch = ProblemPatch.parse({
        ...(s.status ? { status: s.status } : {}),
        ...(s.responsible ? { responsible: s.responsible } : {}),
        ...(s.dueDaysAgo !== undefined ? { dueDate: chinaToday(now - s.dueDaysAgo * DAY) } : {}),
        ...(s.note ? { note: s.note } : {}),
        ...(s.atMeeting && meeting ? { meetingId: meeting.id } : {}),
      });
      p = changeProblem(p, patch, { actor: await auth.actor(u, cid), by: { userId: u.id, name: u.displayName }, at }).problem;
      if (s.status === 'resolved') resolvedAt = at;
    }
    if (spec.rating) p = rateProblem(p, spec.rating, { actor: await auth.actor(raiser, cid), at: dayAt(now, spec.rating.daysAgo) });
    await repo.create(p, { ...stats.keysFor(cid, raisedAt), metric: 'problems_raised' });
    if (resolvedAt !== null) await stats.add(cid, 'problems_resolved', 1, resolvedAt);
    return p;
  }
}
