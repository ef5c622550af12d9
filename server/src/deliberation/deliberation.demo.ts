/**
 * Demo deliberation: two residents' questions (one anonymous) with a few upvotes in the demo
 * community's upcoming meeting, so the 提问 tab is not empty on a first look.
 */
import { newId } from '../common/ids.ts';
import type { MeetingsService } from '../meetings/meetings.service.ts';
import type { DeliberationService } from './deliberation.service.ts';

export async function seedDemoDeliberation(service: DeliberationService, meetings: MeetingsService, cid: string): Promise<void> {
  const upcoming = (await meetings.list(cid)).find((m) => m.status === 'scheduled');
  if (!upcoming) return;
  const now = service.now();
  const demo = [
    { text: '充电桩的电费怎么算？会不会比家里贵很多？', anonymous: false, authorName: '李秀英', votes: 4 },
    { text: '楼道里的自行车可以统一停到哪里？', anonymous: true, authorName: '', votes: 2 },
  ];
  for (const [i, d] of demo.entries()) {
    const id = newId();
    await service.repo.createQuestion(
      {
        id,
        meetingId: upcoming.id,
        text: d.text,
        status: 'visible',
        anonymous: d.anonymous,
        authorId: `demo-${i}`,
        authorName: d.authorName,
        createdAt: now - (10 - i) * 60_000,
      },
      60_000,
      100,
    );
    for (let v = 0; v < d.votes; v++) await service.repo.upvote(upcoming.id, id, `demo-voter-${v}`);
  }
}
