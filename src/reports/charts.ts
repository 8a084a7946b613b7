// Charts drawn on the server as SVG, with d3-scale for the scales and d3-shape for lines (decision
// 0800): no script runs in the browser, so the CSP stays strict. Each chart carries a text
// alternative, and the page puts its table beside it.

import { scaleBand, scaleLinear, scalePoint } from 'd3-scale'
import { line } from 'd3-shape'

export interface Bar {
  label: string
  /** Null: not shown (suppressed). */
  value: number | null
  /** What the bar's end says: "24%". */
  text: string
}

export interface Chart {
  /** The SVG markup, already escaped. */
  svg: string
  /** The text alternative: what the chart shows, in words. */
  description: string
}

const escapeXml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')

/** Horizontal bars, one per label: shares of clients, counts by source. */
export function barChart(title: string, bars: readonly Bar[], options: { max?: number } = {}): Chart {
  const labelWidth = 260
  const width = 640
  const barHeight = 28
  const height = Math.max(1, bars.length) * barHeight + 10
  const y = scaleBand()
    .domain(bars.map((_, i) => String(i)))
    .range([5, height - 5])
    .padding(0.2)
  const max = options.max ?? Math.max(1, ...bars.map((b) => b.value ?? 0))
  const x = scaleLinear()
    .domain([0, max])
    .range([0, width - labelWidth - 70])
  const rows = bars.map((bar, i) => {
    const top = y(String(i)) ?? 0
    const length = bar.value === null ? 0 : x(bar.value)
    const middle = top + y.bandwidth() / 2
    return [
      `<text x="${labelWidth - 8}" y="${middle}" text-anchor="end" dominant-baseline="middle" class="kith-chart__label">${escapeXml(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${top}" width="${length.toFixed(1)}" height="${y.bandwidth().toFixed(1)}" class="kith-chart__bar"></rect>`,
      `<text x="${(labelWidth + length + 6).toFixed(1)}" y="${middle}" dominant-baseline="middle" class="kith-chart__value">${escapeXml(bar.text)}</text>`,
    ].join('')
  })
  const description = `${title}: ${bars.map((bar) => `${bar.label} ${bar.text}`).join('; ')}.`
  return {
    svg: `<svg class="kith-chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(description)}" xmlns="http://www.w3.org/2000/svg"><title>${escapeXml(title)}</title>${rows.join('')}</svg>`,
    description,
  }
}

/** A line over time: referrals month by month. */
export function lineChart(
  title: string,
  points: readonly { label: string; value: number | null; text: string }[],
): Chart {
  const width = 640
  const height = 240
  const margin = { top: 20, right: 20, bottom: 40, left: 50 }
  const x = scalePoint()
    .domain(points.map((p) => p.label))
    .range([margin.left, width - margin.right])
    .padding(0.5)
  const max = Math.max(1, ...points.map((p) => p.value ?? 0))
  const y = scaleLinear()
    .domain([0, max])
    .nice()
    .range([height - margin.bottom, margin.top])
  const path = line<{ label: string; value: number | null }>()
    .defined((p) => p.value !== null)
    .x((p) => x(p.label) ?? 0)
    .y((p) => y(p.value ?? 0))(points)
  const ticks = y
    .ticks(4)
    .map(
      (tick) =>
        `<text x="${margin.left - 8}" y="${y(tick)}" text-anchor="end" dominant-baseline="middle" class="kith-chart__label">${tick}</text><line x1="${margin.left}" x2="${width - margin.right}" y1="${y(tick)}" y2="${y(tick)}" class="kith-chart__grid"></line>`,
    )
    .join('')
  const labels = points
    .map(
      (p) =>
        `<text x="${x(p.label)}" y="${height - margin.bottom + 18}" text-anchor="middle" class="kith-chart__label">${escapeXml(p.label)}</text>`,
    )
    .join('')
  const dots = points
    .filter((p) => p.value !== null)
    .map((p) => `<circle cx="${x(p.label)}" cy="${y(p.value ?? 0)}" r="4" class="kith-chart__dot"></circle>`)
    .join('')
  const description = `${title}: ${points.map((p) => `${p.label} ${p.text}`).join('; ')}.`
  return {
    svg: `<svg class="kith-chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(description)}" xmlns="http://www.w3.org/2000/svg"><title>${escapeXml(title)}</title>${ticks}${labels}<path d="${path ?? ''}" class="kith-chart__line"></path>${dots}</svg>`,
    description,
  }
}
