/**
 * The demo community's draft convention: twelve clauses a residents' committee would really
 * discuss, written into the live document as y-prosemirror paragraphs; a saved 征求意见稿 version,
 * and one comment and one suggestion so the discussion panel is not empty.
 */
import type { Logger } from '../logger.ts';
import type { StoredUser } from '../auth/auth.repository.ts';
import type { ConventionsService } from './conventions.service.ts';
import type { ConventionDiscussion } from './conventions.discussion.ts';

export const DEMO_CONVENTION_TITLE = '海月花园邻里公约（草案）';

export const DEMO_CLAUSES: { id: string; text: string }[] = [
  {
    id: 'cquiethours0001',
    text: '每日22:00至次日7:00为安静时段。在此期间，请勿在室内大声播放音乐、跳绳或拖动家具；广场舞等户外活动应在21:30前结束，音量不得影响周边住户休息。',
  },
  {
    id: 'cparking000002',
    text: '机动车应停放在划定车位内，不得占用消防通道、人行道和绿地。访客车辆凭业主登记进入，停放不超过24小时。\n长期闲置或无牌车辆，由物业书面提醒后仍未处理的，提交业主委员会处理。',
  },
  {
    id: 'cpets000000003',
    text: '饲养犬只应依法办理登记并接种疫苗。出户须牵绳，电梯内应抱起或收短牵绳，主动避让老人和儿童；宠物粪便由主人即时清理。',
  },
  {
    id: 'crenovation004',
    text: '室内装修施工时间为工作日8:30至12:00、14:00至18:00；周末及法定节假日不得进行电钻、切割等产生噪声的作业。装修前应向物业登记，并在单元门口公示施工期限和负责人电话。',
  },
  {
    id: 'csharedspace05',
    text: '楼道、消防通道、屋顶平台等共用部位不得堆放杂物或私自占用。个人物品占用共用部位的，经提醒后七日内仍未清理的，由物业统一清理。',
  },
  {
    id: 'crubbish000006',
    text: '生活垃圾按可回收物、有害垃圾、厨余垃圾和其他垃圾四类分类投放。厨余垃圾在每日7:00至9:00、18:00至21:00定时定点投放；大件垃圾和装修垃圾须预约清运，不得堆放在垃圾站旁。',
  },
  {
    id: 'cebike00000007',
    text: '电动自行车及其电池严禁进入楼道、电梯和室内充电，严禁私拉电线“飞线”充电。请在小区集中充电棚停放和充电；物业负责充电设施的日常巡查。',
  },
  {
    id: 'chighthrow0008',
    text: '严禁高空抛物、坠物。阳台和窗台不得摆放易坠落的花盆等物品。发现高空抛物行为的，任何人均可向物业或公安机关报告，物业应配合调取监控。',
  },
  {
    id: 'cgreenery00009',
    text: '爱护公共绿地和树木，不得毁绿种菜、私搭乱建或在树木上晾晒衣物。小区绿化调整方案应事先公示，听取业主意见。',
  },
  {
    id: 'cfacilities010',
    text: '儿童游乐设施、健身器材等公共设施供全体居民共同使用。使用时注意安全，损坏公共设施的应照价赔偿；发现损坏应及时向物业报修。',
  },
  {
    id: 'cmediation0011',
    text: '邻里之间发生纠纷，应本着互谅互让的原则协商解决；协商不成的，可申请楼栋长或业主委员会调解，也可请社区人民调解委员会调解。任何一方不得以断水、断电、堵门等方式激化矛盾。',
  },
  {
    id: 'camendment0012',
    text: '本公约经业主大会表决通过后生效，由业主委员会负责解释。公约的修改，应经公示征求意见并提交业主大会表决。',
  },
];

export async function seedDemoConvention(
  conventions: ConventionsService,
  discussion: ConventionDiscussion,
  demo: { communityId: string; author: StoredUser | null },
  logger: Logger,
): Promise<void> {
  const by = demo.author?.id ?? 'system';
  const c = await conventions.create(demo.communityId, DEMO_CONVENTION_TITLE, by, DEMO_CLAUSES);
  await conventions.createVersion(c, '征求意见稿', by);
  if (demo.author) {
    await discussion.comment(c, demo.author, {
      clauseId: 'cquiethours0001',
      text: '周末早上7点是不是太早了？建议周末改为8:00。',
      quote: '次日7:00',
    });
    await discussion.suggest(c, demo.author, {
      clauseId: 'cebike00000007',
      text: DEMO_CLAUSES[6]!.text.replace('请在小区集中充电棚停放和充电', '请在小区集中充电棚停放和充电，充电棚每晚23:00后自动断电'),
      reason: '减少夜间无人看管充电带来的火灾风险。',
    });
  }
  logger.info({ conventionId: c.id }, 'demo convention seeded');
}
