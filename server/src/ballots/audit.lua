-- Prelude of every ballot script: SHA-256 (Lua 5.1 has none; LuaBitOp's `bit` is built into
-- Redis) and `append`, which adds one entry to the ballot's hash chain. The chain is documented in
-- shared/src/ballots/audit.ts: hash = sha256(seq .. "\n" .. at .. "\n" .. prevHash .. "\n" .. bodyHash),
-- where bodyHash (of the possibly large body) comes from Node and the verifier recomputes it.
local band, bor, bxor, bnot, rshift, lshift, ror, tobit, tohex = bit.band, bit.bor, bit.bxor, bit.bnot, bit.rshift, bit.lshift, bit.ror, bit.tobit, bit.tohex
local sbyte, schar = string.byte, string.char
local K256 = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

local function sha256(msg)
  local len = #msg
  local bits = len * 8
  local hi, lo = math.floor(bits / 4294967296), bits % 4294967296
  msg = msg .. '\128' .. string.rep('\0', (55 - len) % 64)
    .. schar(band(rshift(hi, 24), 255), band(rshift(hi, 16), 255), band(rshift(hi, 8), 255), band(hi, 255),
             band(rshift(lo, 24), 255), band(rshift(lo, 16), 255), band(rshift(lo, 8), 255), band(lo, 255))
  local h0, h1, h2, h3 = 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a
  local h4, h5, h6, h7 = 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
  local w = {}
  for p = 1, #msg, 64 do
    for i = 1, 16 do
      local q = p + (i - 1) * 4
      local a, b, c, d = sbyte(msg, q, q + 3)
      w[i] = bor(lshift(a, 24), lshift(b, 16), lshift(c, 8), d)
    end
    for i = 17, 64 do
      local v15, v2 = w[i - 15], w[i - 2]
      w[i] = tobit(w[i - 16] + bxor(ror(v15, 7), ror(v15, 18), rshift(v15, 3)) + w[i - 7] + bxor(ror(v2, 17), ror(v2, 19), rshift(v2, 10)))
    end
    local a, b, c, d, e, f, g, h = h0, h1, h2, h3, h4, h5, h6, h7
    for i = 1, 64 do
      local t1 = h + bxor(ror(e, 6), ror(e, 11), ror(e, 25)) + bxor(band(e, f), band(bnot(e), g)) + K256[i] + w[i]
      local t2 = bxor(ror(a, 2), ror(a, 13), ror(a, 22)) + bxor(band(a, b), band(a, c), band(b, c))
      h, g, f, e, d, c, b, a = g, f, e, tobit(d + t1), c, b, a, tobit(t1 + t2)
    end
    h0, h1, h2, h3 = tobit(h0 + a), tobit(h1 + b), tobit(h2 + c), tobit(h3 + d)
    h4, h5, h6, h7 = tobit(h4 + e), tobit(h5 + f), tobit(h6 + g), tobit(h7 + h)
  end
  return tohex(h0) .. tohex(h1) .. tohex(h2) .. tohex(h3) .. tohex(h4) .. tohex(h5) .. tohex(h6) .. tohex(h7)
end

local GENESIS = string.rep('0', 64)

-- Milliseconds from the Redis clock (scripts replicate by effects, so TIME is allowed).
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Appends one entry: the next seq, the Redis time, the previous hash. ballotId and etype are
-- plain ids (never escaped); dataJson is canonical JSON made in Node.
local function append(auditKey, headKey, ballotId, etype, dataJson, bodyHash)
  local head = redis.call('GET', headKey)
  local seq, prev = 0, GENESIS
  if head then
    local i = string.find(head, ':', 1, true)
    seq = tonumber(string.sub(head, 1, i - 1))
    prev = string.sub(head, i + 1)
  end
  seq = seq + 1
  local at = string.format('%d', now_ms())
  local hash = sha256(seq .. '\n' .. at .. '\n' .. prev .. '\n' .. bodyHash)
  redis.call('RPUSH', auditKey, '{"seq":' .. seq .. ',"type":"' .. etype .. '","at":' .. at .. ',"ballotId":"' .. ballotId
    .. '","data":' .. dataJson .. ',"prevHash":"' .. prev .. '","hash":"' .. hash .. '"}')
  redis.call('SET', headKey, seq .. ':' .. hash)
  return seq, hash, at
end
