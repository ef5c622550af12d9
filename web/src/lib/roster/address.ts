/** A household's address for reading: "3栋2单元1201" in Chinese (as on the slips), spelled out in English. */
import { formatAddress } from '@linli/shared';
import { m } from '$lib/paraglide/messages.js';
import { getLocale } from '$lib/paraglide/runtime.js';

export function addressOf(h: { building: string; unit: string; room: string }): string {
  // The shared formatter knows Chinese building names that already end in 栋/幢/座 ("A座").
  return getLocale() === 'zh-CN' ? formatAddress(h) : m.roster_address({ building: h.building, unit: h.unit, room: h.room });
}
