// Nunjucks with the NHS.UK frontend macros, the template paths and the filters every page uses.

import { join } from 'node:path'
import type { FastifyViewOptions } from '@fastify/view'
import nunjucks from 'nunjucks'
import type { Assets } from './assets.ts'
import { NHSUK_DIST } from './assets.ts'
import {
  formatDate,
  formatDateTime,
  formatMiles,
  formatNhsNumber,
  formatPostcode,
  formatShortDate,
  formatTime,
  formatWeekday,
  plural,
} from './format.ts'

const SRC = join(import.meta.dirname, '..')

/**
 * `reload` reads templates again on every render, so edits show without a restart: for
 * development only (tests and production compile each template once).
 */
export function viewOptions(assets: Assets, production: boolean, reload = false): FastifyViewOptions {
  return {
    engine: { nunjucks },
    templates: [
      SRC,
      join(NHSUK_DIST, 'nhsuk', 'components'),
      join(NHSUK_DIST, 'nhsuk', 'macros'),
      join(NHSUK_DIST, 'nhsuk'),
      NHSUK_DIST,
    ],
    production,
    options: {
      autoescape: true,
      noCache: reload,
      onConfigure(env: nunjucks.Environment) {
        env.addGlobal('asset', (name: string) => assets.url(name))
        env.addFilter('date', formatDate)
        env.addFilter('shortDate', formatShortDate)
        env.addFilter('time', formatTime)
        env.addFilter('dateTime', formatDateTime)
        env.addFilter('weekday', formatWeekday)
        env.addFilter('nhsNumber', formatNhsNumber)
        env.addFilter('postcode', formatPostcode)
        env.addFilter('miles', formatMiles)
        env.addFilter('plural', (count: number, one: string, many: string) => plural(count, one, many))
        env.addFilter('number', (value: number) =>
          typeof value === 'number' ? value.toLocaleString('en-GB') : value,
        )
      },
    },
  }
}
