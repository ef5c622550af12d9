-- One audit entry that changes no state (e.g. a convention version adopted after the result).
-- KEYS: 1 audit, 2 head.  ARGV: 1 consultationId, 2 type, 3 data JSON, 4 body hash
local seq, hash = append(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
return {'ok', tostring(seq), hash}
