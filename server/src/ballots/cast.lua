-- One vote, online, on paper or by proxy, all or nothing (ARCHITECTURE.md "Meetings and votes").
-- KEYS: 1 status, 2 eligible, 3 votes, 4 voted, 5 receipts, 6 idem, 7 counts, 8 audit, 9 head,
--       10 proxies, 11 superseded, 12 advisory, 13 choices (secret ballots), 14 reasons
-- ARGV: 1 ballotId, 2 secret ('1'|'0'), 3 idem field, 4 idem value, 5 receipt, 6 choice key,
--       7 audit type, 8 data JSON, 9 body hash, 10 receipt record JSON, 11 by (user id),
--       12 mode ('new'|'change'), 13 n voters, then per voter: id, via, record JSON, expected receipt,
--       then the advisory voter ('' = none), its record JSON, '1' to replace an earlier advisory vote,
--       then the voter's one-line reason: '' leaves it, '-' removes it, else its JSON (kept under `by`)
-- A cast may carry no voter and only an advisory vote (a tenant on an owners' ballot).
-- Checks come first and write nothing (a script is atomic but not rolled back); then every write.
local secret = ARGV[2] == '1'
local seen = redis.call('HGET', KEYS[6], ARGV[3])
if seen then return {'dup', seen} end
local status = redis.call('GET', KEYS[1])
if status ~= 'open' then return {'not_open', status or 'missing'} end
if redis.call('HEXISTS', KEYS[5], ARGV[5]) == 1 then return {'receipt_taken'} end
-- A secret ballot's choices sit in a sorted set of equal scores ("<receipt> <record>"), ordered by
-- receipt: a hash would hand them back in arrival order (listpack), beside the list of who voted.
if secret and #redis.call('ZRANGEBYLEX', KEYS[13], '[' .. ARGV[5] .. ' ', '[' .. ARGV[5] .. '!', 'LIMIT', 0, 1) > 0 then return {'receipt_taken'} end

local VIA_SCORE = { online = '0', proxy = '1', paper = '2' }
local by, change, n = ARGV[11], ARGV[12] == 'change', tonumber(ARGV[13])
local voters, existing, old = {}, {}, {}
for j = 1, n do
  local base = 13 + (j - 1) * 4
  local v = { id = ARGV[base + 1], via = ARGV[base + 2], record = ARGV[base + 3], expected = ARGV[base + 4] }
  voters[j] = v
  if redis.call('SISMEMBER', KEYS[2], v.id) == 0 then return {'not_eligible', v.id} end
  if v.via == 'proxy' and redis.call('HGET', KEYS[10], v.id) ~= by then return {'not_proxy', v.id} end
  local cur
  if secret then cur = redis.call('ZSCORE', KEYS[4], v.id) else cur = redis.call('HGET', KEYS[3], v.id) end
  if change then
    if not cur then return {'stale'} end
    local rec = cjson.decode(cur)
    if rec.receipt ~= v.expected then return {'stale'} end
    old[j] = rec
  elseif cur then
    existing[#existing + 1] = v.id
    existing[#existing + 1] = cur
  end
end
if #existing > 0 then
  table.insert(existing, 1, 'exists')
  return existing
end
local ab = 13 + n * 4
local adv, advRecord, advReplace = ARGV[ab + 1], ARGV[ab + 2], ARGV[ab + 3] == '1'
local hadAdv = adv ~= '' and redis.call('HEXISTS', KEYS[12], adv) == 1
-- An advisory-only vote given before is a second vote; beside household votes it is kept as it was.
if n == 0 and hadAdv and not advReplace then return {'advisory_exists'} end
if n == 0 and adv == '' then return {'no_voter'} end

for j = 1, n do
  local v = voters[j]
  if change then
    redis.call('HINCRBY', KEYS[7], 'c:' .. old[j].ck, -1)
    redis.call('HSET', KEYS[11], old[j].receipt, ARGV[5])
  else
    redis.call('HINCRBY', KEYS[7], 'cast', 1)
    redis.call('HINCRBY', KEYS[7], 'via:' .. v.via, 1)
  end
  -- No running count per choice for a secret ballot: the order in which a hash's fields appear
  -- follows the order in which each choice first arrived. Its count is read from the choices.
  if not secret then redis.call('HINCRBY', KEYS[7], 'c:' .. ARGV[6], 1) end
  if secret then
    -- A sorted set of equal scores per channel is ordered by voter id, never by arrival: nothing
    -- in it lines up with the order of the choices.
    redis.call('ZADD', KEYS[4], VIA_SCORE[v.via] or '0', v.id)
  else
    redis.call('HSET', KEYS[3], v.id, v.record)
  end
end
if adv ~= '' and (not hadAdv or advReplace) then
  redis.call('HSET', KEYS[12], adv, advRecord)
  if not hadAdv then redis.call('HINCRBY', KEYS[7], 'advisory', 1) end
end
if secret then
  redis.call('ZADD', KEYS[13], 0, ARGV[5] .. ' ' .. ARGV[10])
else
  redis.call('HSET', KEYS[5], ARGV[5], ARGV[10])
end
redis.call('HSET', KEYS[6], ARGV[3], ARGV[4])
-- The reason follows the vote it came with (one write with the vote, not a second round trip).
local reason = ARGV[ab + 4] or ''
if reason == '-' then redis.call('HDEL', KEYS[14], by) elseif reason ~= '' then redis.call('HSET', KEYS[14], by, reason) end
local seq, hash = append(KEYS[8], KEYS[9], ARGV[1], ARGV[7], ARGV[8], ARGV[9])
return {'ok', ARGV[5], tostring(seq), hash}
