import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import QRCode from 'qrcode'
import {
  CARD_PATH,
  CODE_DATA_LENGTH,
  CROCKFORD,
  cardQrSvg,
  cardUrl,
  checkSymbol,
  EXAMPLE_CODE,
  formatCardCode,
  isCardToken,
  newCard,
  newCardCode,
  newCardToken,
  parseCardCode,
  tokenFromScan,
} from './cards.ts'

/** A random source that hands out the given byte blocks in turn. */
function fixedRandom(...blocks: number[][]) {
  let next = 0
  return (size: number) => {
    const block = blocks[next++]
    assert.ok(block && block.length === size, `asked for ${size} bytes`)
    return Buffer.from(block)
  }
}

describe('card tokens', () => {
  it('are 128 random bits, different every time, and never made from the person', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newCardToken()))
    assert.equal(tokens.size, 1000)
    for (const token of tokens) assert.ok(isCardToken(token), token)
    assert.equal(newCardToken(fixedRandom(Array(16).fill(255))), '_____________________w')
    // newCard takes no details of the person at all: it has nothing to derive them from.
    assert.equal(newCard.length, 0)
    assert.ok(!isCardToken('9434765919'))
  })
})

describe('short codes', () => {
  it('use Crockford’s check symbol, the value modulo 37', () => {
    // Worked by hand: 1 → 1; 31 → Z; 32 → *; 33 → ~; 63 = 37 + 26 → T; 2 × 32² = 2048 = 37 × 55 + 13 → D.
    assert.equal(checkSymbol('00000001'), '1')
    assert.equal(checkSymbol('0000000Z'), 'Z')
    assert.equal(checkSymbol('00000010'), '*')
    assert.equal(checkSymbol('00000011'), '~')
    assert.equal(checkSymbol('0000001Z'), 'T')
    assert.equal(checkSymbol('00000200'), 'D')
  })

  it('are drawn again when the check would be one of the extra symbols, so every character is base32', () => {
    // 5 bytes = 40 bits = 8 characters. The first draw is 32, whose check is *, so it is refused.
    const code = newCardCode(fixedRandom([0, 0, 0, 0, 32], [0, 0, 0, 0, 1]))
    assert.equal(code, '000000011')
    for (let i = 0; i < 2000; i++) {
      const drawn = newCardCode()
      assert.equal(drawn.length, CODE_DATA_LENGTH + 1)
      for (const char of drawn) assert.ok(CROCKFORD.includes(char), drawn)
      assert.deepEqual(parseCardCode(drawn), { ok: true, code: drawn })
    }
  })

  it('are printed in groups of three, and the example in messages is a real code', () => {
    assert.equal(formatCardCode('K7QM2X9PC'), 'K7Q-M2X-9PC')
    assert.deepEqual(parseCardCode(EXAMPLE_CODE), { ok: true, code: 'K7QM2X9PC' })
  })

  it('are read back however they are typed: any case, spaces, hyphens, I and L for 1, O for 0', () => {
    const code = '10K10000'
    const stored = code + checkSymbol(code)
    for (const typed of [
      stored,
      stored.toLowerCase(),
      ` ${formatCardCode(stored)} `,
      `IOKLOOOO${checkSymbol(code)}`,
      `io k-lo oo o${checkSymbol(code).toLowerCase()}`,
    ]) {
      assert.deepEqual(parseCardCode(typed), { ok: true, code: stored }, typed)
    }
  })

  it('catch every single mistyped character and every swap of neighbours', () => {
    for (let n = 0; n < 40; n++) {
      const code = newCardCode()
      for (let position = 0; position < code.length; position++) {
        for (const other of CROCKFORD) {
          if (other === code[position]) continue
          const typo = code.slice(0, position) + other + code.slice(position + 1)
          assert.equal(parseCardCode(typo).ok, false, `${code} typed as ${typo}`)
        }
        if (position + 1 < code.length && code[position] !== code[position + 1]) {
          const swapped =
            code.slice(0, position) + code[position + 1] + code[position] + code.slice(position + 2)
          assert.equal(parseCardCode(swapped).ok, false, `${code} typed as ${swapped}`)
        }
      }
    }
  })

  it('are refused with a message a person can act on', () => {
    const refusal = (typed: string) => {
      const parsed = parseCardCode(typed)
      assert.ok(!parsed.ok, typed)
      return parsed.message
    }
    assert.equal(refusal('  '), 'Enter the code printed under the QR code on the card')
    assert.equal(
      refusal('K7Q/M2X/9PC'),
      'The card code can only contain letters and numbers, like K7Q-M2X-9PC',
    )
    assert.equal(refusal('K7Q-M2X'), 'The card code has 9 letters and numbers, like K7Q-M2X-9PC')
    assert.equal(refusal('K7Q-M2X-9PCC'), 'The card code has 9 letters and numbers, like K7Q-M2X-9PC')
    assert.equal(
      refusal('K7U-M2X-9PC'),
      'The card code has no letter U: check the card and enter the code again',
    )
    assert.match(refusal('K7Q-M2X-9PD'), /a character may have been mistyped/)
  })
})

describe('QR codes', () => {
  const token = newCardToken()

  it('hold the token alone, as an accessible SVG', async () => {
    const svg = await cardQrSvg(token, { label: 'QR code for Sam’s card' })
    assert.match(
      svg,
      /^<svg role="img" aria-label="QR code for Sam’s card" xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
    )
    assert.match(svg, /<title>QR code for Sam’s card<\/title>/)
    const plain = await QRCode.toString(token, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 })
    assert.equal(
      svg.replace(/ role="img" aria-label="[^"]*"/, '').replace(/<title>[^<]*<\/title>/, ''),
      plain,
    )
  })

  it('or the card link, and the token is found again in either', async () => {
    const svg = await cardQrSvg(token, { publicUrl: 'https://kith.example.nhs.uk/' })
    const link = cardUrl('https://kith.example.nhs.uk/', token)
    assert.equal(link, `https://kith.example.nhs.uk${CARD_PATH}${token}`)
    const plain = await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 })
    assert.equal(
      svg.replace(/ role="img" aria-label="[^"]*"/, '').replace(/<title>[^<]*<\/title>/, ''),
      plain,
    )
    assert.equal(tokenFromScan(token), token)
    assert.equal(tokenFromScan(` ${link}\n`), token)
    assert.equal(tokenFromScan('https://kith.example.nhs.uk/elsewhere/abc'), undefined)
    assert.equal(tokenFromScan(`https://kith.example.nhs.uk${CARD_PATH}not-a-token`), undefined)
    assert.equal(tokenFromScan('9434765919'), undefined)
  })

  it('escape the label, and refuse to encode anything but a card token', async () => {
    assert.match(
      await cardQrSvg(token, { label: 'A <b> & "c"' }),
      /aria-label="A &#60;b&#62; &#38; &#34;c&#34;"/,
    )
    await assert.rejects(cardQrSvg('9434765919'), /card token/)
  })
})
