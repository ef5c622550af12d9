-- A notice in the chain of an open ballot: a member's households changed while it is open.
-- KEYS: 1 status, 2 eligible, 3 audit, 4 head
-- ARGV: 1 ballotId, 2 audit type, 3 data JSON, 4 body hash, then the household ids that changed
-- Written only if the ballot is open and one of those households is in its frozen electorate.
if redis.call('GET', KEYS[1]) ~= 'open' then return {'not_open'} end
local touched = false
for i = 5, #ARGV do
  if redis.call('SISMEMBER', KEYS[2], ARGV[i]) == 1 then touched = true break end
end
if not touched then return {'untouched'} end
local seq, hash, at = append(KEYS[3], KEYS[4], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
return {'ok', tostring(seq), at}
