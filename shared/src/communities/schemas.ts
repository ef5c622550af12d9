/** Communities (小区). */
import { z } from 'zod';
import { safeText } from '../common/text.ts';

export const CommunityCreate = z.object({
  name: safeText({ min: 1, max: 80 }),
  /** Street address, e.g. "朝阳区安贞西里 3 号" (printed on notices). */
  address: safeText({ max: 200 }).optional(),
  /** The subdistrict or district (街道 / 区). */
  district: safeText({ max: 80 }).optional(),
});
export type CommunityCreate = z.infer<typeof CommunityCreate>;

export const CommunityUpdate = CommunityCreate.partial();
export type CommunityUpdate = z.infer<typeof CommunityUpdate>;

export const Community = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string().optional(),
  district: z.string().optional(),
  createdAt: z.number(),
  demo: z.boolean().optional(),
});
export type Community = z.infer<typeof Community>;

/** `community:watch` — follow live changes of one community (name, settings). */
export const CommunityWatch = z.object({ communityId: z.string().min(1).max(64) });
export type CommunityWatch = z.infer<typeof CommunityWatch>;
