-- Undoes one paper vote, all or nothing: the person who entered it, while the ballot is open, and
-- only if it still stands (not replaced by a later vote). The vote leaves the counts and the
-- record; the chain keeps both entries, the paper vote and its undoing.
-- KEYS: 1 status, 2 votes, 3 receipts, 4 counts, 5 audit, 6 head
-- ARGV: 1 ballotId, 2 receipt, 3 by (user id), 4 audit data JSON, 5 body hash, 6 expected voter ids ('|'-joined)
local status = redis.call('GET', KEYS[1])
if status ~= 'open' then return {'not_open', status or 'missing'} end
local rr = redis.call('HGET', KEYS[3], ARGV[2])
if not rr then return {'no_receipt'} end
local rec = cjson.decode(rr)
if type(rec.voters) ~= 'table' or #rec.voters == 0 then return {'not_undoable'} end
if rec.via ~= 'paper' then return {'not_paper'} end
if rec.by ~= ARGV[3] then return {'not_yours'} end
if table.concat(rec.voters, '|') ~= ARGV[6] then return {'stale'} end
local cks = {}
for j, id in ipairs(rec.voters) do
  local cur = redis.call('HGET', KEYS[2], id)
  if not cur then return {'stale'} end
  local v = cjson.decode(cur)
  if v.receipt ~= ARGV[2] then return {'stale'} end
  cks[j] = v.ck
end
for j, id in ipairs(rec.voters) do
  redis.call('HDEL', KEYS[2], id)
  redis.call('HINCRBY', KEYS[4], 'cast', -1)
  redis.call('HINCRBY', KEYS[4], 'via:paper', -1)
  redis.call('HINCRBY', KEYS[4], 'c:' .. cks[j], -1)
end
redis.call('HDEL', KEYS[3], ARGV[2])
local seq, hash = append(KEYS[5], KEYS[6], ARGV[1], 'paper_vote_undone', ARGV[4], ARGV[5])
return {'ok', tostring(seq), hash}
