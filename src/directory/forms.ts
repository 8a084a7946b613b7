// The provider's service form: what a browser posts, validated into a service's details.

import { z } from 'zod'
import { normalisePostcode } from '../people/person.ts'
import { parse } from '../web/forms.ts'
import type { FieldProblem } from '../web/problem.ts'
import { SERVICE_KINDS, SERVICE_STATUSES } from './taxonomy.ts'

const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be ${max} characters or fewer`)
    .optional()
    .transform((v) => v ?? '')

const age = (which: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null
      if (!/^\d{1,3}$/.test(v) || Number(v) > 130) {
        ctx.addIssue({ code: 'custom', message: `Enter the ${which} age as a whole number from 0 to 130` })
        return z.NEVER
      }
      return Number(v)
    })

export const serviceFormSchema = z
  .object({
    organisationId: z
      .string({ error: 'Select the organisation that runs the service' })
      .min(1, 'Select the organisation that runs the service'),
    name: z
      .string({ error: 'Enter the name of the service' })
      .trim()
      .min(1, 'Enter the name of the service')
      .max(200, 'The name must be 200 characters or fewer'),
    description: z
      .string({ error: 'Enter a description of the service' })
      .trim()
      .min(1, 'Enter a description of the service')
      .max(10_000, 'The description must be 10,000 characters or fewer'),
    kind: z.enum(SERVICE_KINDS, { error: 'Select what kind of service it is' }),
    status: z.enum(SERVICE_STATUSES, { error: 'Select whether the service is running' }),
    selfReferral: z.enum(['yes', 'no'], { error: 'Select whether people can refer themselves' }),
    termIds: z.array(z.string()).max(50, 'Select 50 categories or fewer'),
    cost: optionalText(500, 'The cost'),
    ageMin: age('youngest'),
    ageMax: age('oldest'),
    schedule: optionalText(500, 'When it runs'),
    contactName: optionalText(200, 'The contact name'),
    email: optionalText(200, 'The email address').refine(
      (v) => v === '' || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v),
      {
        message: 'Enter an email address in the correct format, like name@example.com',
      },
    ),
    phone: optionalText(30, 'The phone number').refine((v) => v === '' || /^[+\d][\d\s()-]{6,}$/.test(v), {
      message: 'Enter a phone number, like 01632 960 001',
    }),
    url: optionalText(500, 'The website').refine((v) => v === '' || /^https?:\/\/\S+$/.test(v), {
      message: 'Enter a website address starting https://',
    }),
    locationName: optionalText(200, 'The place name'),
    address: optionalText(300, 'The address'),
    town: optionalText(100, 'The town'),
    postcode: optionalText(10, 'The postcode').transform((v, ctx) => {
      if (!v) return null
      const normal = normalisePostcode(v)
      if (!normal) {
        ctx.addIssue({ code: 'custom', message: 'Enter a full UK postcode, like LU1 1HH' })
        return z.NEVER
      }
      return normal
    }),
    criteriaNotes: optionalText(2000, 'The other access criteria'),
    additionalNeeds: optionalText(1000, 'Additional needs catered for'),
    disclaimer: optionalText(1000, 'The disclaimer'),
  })
  .refine((v) => v.ageMin === null || v.ageMax === null || v.ageMin <= v.ageMax, {
    path: ['ageMax'],
    message: 'The oldest age must be the same as or more than the youngest',
  })

export type ServiceForm = z.output<typeof serviceFormSchema>

export function parseServiceForm(
  body: Record<string, unknown>,
): { ok: true; value: ServiceForm } | { ok: false; problems: FieldProblem[] } {
  const termIds = body.termIds
  return parse(serviceFormSchema, {
    ...body,
    termIds: termIds === undefined ? [] : Array.isArray(termIds) ? termIds : [termIds],
  })
}

export const accreditationFormSchema = z
  .object({
    subject: z
      .string({ error: 'Select a provider or service' })
      .regex(/^(organisation|service):[0-9a-f-]{36}$/i, 'Select a provider or service'),
    programmeId: z.string({ error: 'Select the programme' }).min(1, 'Select the programme'),
    from: z
      .string({ error: 'Enter the date accreditation starts' })
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the date accreditation starts, like 2026-11-22'),
    to: z
      .string()
      .trim()
      .optional()
      .transform((v, ctx) => {
        if (!v) return null
        if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) {
          ctx.addIssue({ code: 'custom', message: 'Enter the date accreditation ends, like 2027-11-22' })
          return z.NEVER
        }
        return v
      }),
  })
  .refine((v) => v.to === null || v.to >= v.from, {
    path: ['to'],
    message: 'The end date must be on or after the start date',
  })
