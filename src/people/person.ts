// The person record that referrals, casework, attendance and outcomes share: what is valid, as zod
// schemas that the forms and the JSON API both use, and the types the store returns.

import { z } from 'zod'
import { isId } from '../db/ids.ts'
import { conditionByCode } from './conditions.ts'
import { isValidNhsNumber, nhsNumberDigits } from './nhs-number.ts'

export const CONTACT_METHODS = ['email', 'sms', 'phone', 'letter'] as const
export type ContactMethod = (typeof CONTACT_METHODS)[number]

export const CONTACT_METHOD_LABELS: Record<ContactMethod, string> = {
  email: 'Email',
  sms: 'Text message',
  phone: 'Phone call',
  letter: 'Letter',
}

export const CONSENT_METHODS = ['verbal', 'written', 'digital'] as const
export type ConsentMethod = (typeof CONSENT_METHODS)[number]

export const CONSENT_METHOD_LABELS: Record<ConsentMethod, string> = {
  verbal: 'Verbally',
  written: 'In writing',
  digital: 'Digitally (online form or app)',
}

const DATE = /^\d{4}-\d{2}-\d{2}$/

/** True for a real calendar day written `YYYY-MM-DD`. */
export function isCalendarDate(value: string): boolean {
  if (!DATE.test(value)) return false
  const date = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value)
}

/** Text that may be left blank: blank becomes null. */
const optionalText = (max: number, message: string) =>
  z
    .string()
    .trim()
    .max(max, message)
    .nullish()
    .transform((value) => (value ? value : null))

const POSTCODE = /^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/

/** `ex151fe` → `EX15 1FE`; undefined when it is not a full UK postcode. */
export function normalisePostcode(value: string): string | undefined {
  const compact = value.replace(/\s+/g, '').toUpperCase()
  return POSTCODE.test(compact) ? `${compact.slice(0, -3)} ${compact.slice(-3)}` : undefined
}

/** A UK phone number: 10 or 11 digits starting 0, or +44 and the number without its 0. */
function ukPhoneDigits(value: string): string | undefined {
  const compact = value.replace(/[\s()-]/g, '')
  const national = compact.startsWith('+44') ? `0${compact.slice(3)}` : compact
  return /^0\d{9,10}$/.test(national) ? national : undefined
}

export function isMobileNumber(value: string): boolean {
  return ukPhoneDigits(value)?.startsWith('07') ?? false
}

/**
 * How names are compared when looking for duplicates: accents and case set aside, spaces
 * collapsed, curly apostrophes made straight. "Zoë O’Brien" and "zoe o'brien" compare equal.
 */
export function nameKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[‘’`]/g, "'")
    .toLocaleLowerCase('en-GB')
    .replace(/\s+/g, ' ')
    .trim()
}

export const nhsNumberSchema = z
  .string()
  .trim()
  .nullish()
  .transform((value) => (value ? nhsNumberDigits(value) : null))
  .refine(
    (value) => value === null || /^\d{10}$/.test(value),
    'NHS number must be 10 digits, like 943 476 5919',
  )
  .refine(
    (value) => value === null || !/^\d{10}$/.test(value) || isValidNhsNumber(value),
    'Enter a valid NHS number: this one does not pass the NHS number check. Check each digit',
  )

/**
 * Who the form's messages speak to: a professional entering someone's details ("Enter their first
 * name"), or the person entering their own, as on a self-referral ("Enter your first name").
 */
export type Voice = 'professional' | 'self'

/** The messages of the person schema that name the person, in each voice. */
const PERSON_MESSAGES = {
  professional: {
    givenName: 'Enter their first name',
    familyName: 'Enter their last name',
    dateOfBirth: 'Enter their date of birth',
    contactMethod: 'Select how they prefer to be contacted from the list',
    practice: 'Select their GP practice from the list',
    emailPreferred: 'Enter an email address, as they prefer to be contacted by email',
    smsPreferred: 'Enter a mobile phone number, as they prefer to be contacted by text message',
    phonePreferred: 'Enter a phone number, as they prefer to be contacted by phone',
    letterPreferred: 'Enter their address and postcode, as they prefer to be contacted by letter',
  },
  self: {
    givenName: 'Enter your first name',
    familyName: 'Enter your last name',
    dateOfBirth: 'Enter your date of birth',
    contactMethod: 'Select how you prefer to be contacted from the list',
    practice: 'Select your GP practice from the list',
    emailPreferred: 'Enter an email address, as you prefer to be contacted by email',
    smsPreferred: 'Enter a mobile phone number, as you prefer to be contacted by text message',
    phonePreferred: 'Enter a phone number, as you prefer to be contacted by phone',
    letterPreferred: 'Enter your address and postcode, as you prefer to be contacted by letter',
  },
} as const satisfies Record<Voice, Record<string, string>>

/**
 * The schema of a person's details, given today's date (`YYYY-MM-DD`, London) for the date of
 * birth, with messages in `voice`.
 */
export function personInputSchema(today: string, voice: Voice = 'professional') {
  const say = PERSON_MESSAGES[voice]
  return z
    .object({
      nhsNumber: nhsNumberSchema,
      givenName: z
        .string({ error: say.givenName })
        .trim()
        .min(1, say.givenName)
        .max(100, 'First name must be 100 characters or fewer'),
      familyName: z
        .string({ error: say.familyName })
        .trim()
        .min(1, say.familyName)
        .max(100, 'Last name must be 100 characters or fewer'),
      dateOfBirth: z
        .string({ error: say.dateOfBirth })
        .trim()
        .min(1, say.dateOfBirth)
        .refine(isCalendarDate, 'Date of birth must be a real date')
        .refine(
          (value) => !isCalendarDate(value) || value <= today,
          'Date of birth must be today or in the past',
        )
        .refine(
          (value) => !isCalendarDate(value) || value >= '1890-01-01',
          'Date of birth must be after 1890',
        ),
      /** Sex or gender in the person's own words. */
      sexOrGender: optionalText(100, 'Sex or gender must be 100 characters or fewer'),
      addressLines: z
        .array(z.string().trim().max(100, 'Each line of the address must be 100 characters or fewer'))
        .max(5, 'An address can have at most 5 lines')
        .default([])
        .transform((lines) => lines.filter((line) => line !== '')),
      postcode: optionalText(10, 'Enter a full UK postcode, like EX15 1FE')
        .refine(
          (value) => value === null || normalisePostcode(value) !== undefined,
          'Enter a full UK postcode, like EX15 1FE',
        )
        .transform((value) => (value === null ? null : (normalisePostcode(value) ?? null))),
      phone: optionalText(20, 'Enter a UK phone number, like 01632 960 001 or 07700 900 982').refine(
        (value) => value === null || ukPhoneDigits(value) !== undefined,
        'Enter a UK phone number, like 01632 960 001 or 07700 900 982',
      ),
      email: optionalText(254, 'Email address must be 254 characters or fewer').refine(
        (value) => value === null || z.email().safeParse(value).success,
        'Enter an email address in the correct format, like name@example.com',
      ),
      contactMethods: z
        .array(z.enum(CONTACT_METHODS, { error: say.contactMethod }))
        .default([])
        .transform((methods) => CONTACT_METHODS.filter((method) => methods.includes(method))),
      /** Whether a message may be left (voicemail, with whoever answers). */
      mayLeaveMessages: z.boolean().default(false),
      registeredPracticeId: z
        .string()
        .nullish()
        .transform((value) => (value ? value : null))
        .refine((value) => value === null || isId(value), say.practice),
      /** SNOMED CT codes of their long-term conditions: only codes Kith knows. */
      conditions: z
        .array(
          z.string().refine((code) => conditionByCode(code) !== undefined, 'Select conditions from the list'),
        )
        .max(20, 'Select at most 20 conditions')
        .default([])
        .transform((codes) => [...new Set(codes)]),
    })
    .superRefine((person, context) => {
      const methods = person.contactMethods
      if (methods.includes('email') && !person.email) {
        context.addIssue({
          code: 'custom',
          path: ['email'],
          message: say.emailPreferred,
        })
      }
      if (methods.includes('sms') && !(person.phone && isMobileNumber(person.phone))) {
        context.addIssue({
          code: 'custom',
          path: ['phone'],
          message: say.smsPreferred,
        })
      } else if (methods.includes('phone') && !person.phone) {
        context.addIssue({
          code: 'custom',
          path: ['phone'],
          message: say.phonePreferred,
        })
      }
      if (methods.includes('letter') && (person.addressLines.length === 0 || !person.postcode)) {
        context.addIssue({
          code: 'custom',
          path: [person.addressLines.length === 0 ? 'addressLines' : 'postcode'],
          message: say.letterPreferred,
        })
      }
    })
}

export type PersonInput = z.output<ReturnType<typeof personInputSchema>>

/** The schema of a consent, given the current instant for "not in the future". */
export function consentInputSchema(now: Date) {
  return z
    .object({
      /** What was consented to: "Referral to Ways to Wellness", "Sharing notes with the GP". */
      about: z
        .string({ error: 'Enter what they consented to' })
        .trim()
        .min(1, 'Enter what they consented to')
        .max(500, 'What they consented to must be 500 characters or fewer'),
      givenBy: z.enum(['person', 'representative'], { error: 'Select who gave consent' }),
      representativeName: optionalText(200, 'Name must be 200 characters or fewer'),
      representativeRelationship: optionalText(100, 'Relationship must be 100 characters or fewer'),
      method: z.enum(CONSENT_METHODS, { error: 'Select how consent was given' }),
      /** When consent was given: an ISO 8601 instant. */
      givenAt: z.iso
        .datetime({ offset: true, error: 'Enter when consent was given' })
        .refine(
          (value) => new Date(value).getTime() <= now.getTime() + 60_000,
          'Consent cannot be given in the future',
        )
        .transform((value) => new Date(value).toISOString()),
      /** The record the consent is for, such as a referral. */
      relatedRecordType: z
        .string()
        .regex(/^[a-z-]{1,40}$/)
        .nullish()
        .transform((value) => value ?? null),
      relatedRecordId: z
        .string()
        .refine(isId)
        .nullish()
        .transform((value) => value ?? null),
    })
    .superRefine((consent, context) => {
      if (consent.givenBy !== 'representative') return
      if (!consent.representativeName)
        context.addIssue({
          code: 'custom',
          path: ['representativeName'],
          message: 'Enter the name of the person who gave consent on their behalf',
        })
      if (!consent.representativeRelationship)
        context.addIssue({
          code: 'custom',
          path: ['representativeRelationship'],
          message: 'Enter their relationship to the person, such as daughter or lasting power of attorney',
        })
    })
}

export type ConsentInput = z.output<ReturnType<typeof consentInputSchema>>

export interface Consent {
  id: string
  about: string
  givenBy: { kind: 'person' } | { kind: 'representative'; name: string; relationship: string }
  method: ConsentMethod
  givenAt: string
  relatedRecordType: string | null
  relatedRecordId: string | null
  recordedByUserId: string | null
  recordedAt: string
  withdrawnAt: string | null
}

export interface Person {
  id: string
  /** Ten digits, or null when not known. */
  nhsNumber: string | null
  givenName: string
  familyName: string
  dateOfBirth: string
  sexOrGender: string | null
  addressLines: string[]
  postcode: string | null
  phone: string | null
  email: string | null
  contactPreferences: { methods: ContactMethod[]; mayLeaveMessages: boolean }
  registeredPractice: { id: string; name: string; odsCode: string | null } | null
  /** Long-term conditions, SNOMED CT coded, in the order Kith lists them. */
  conditions: { code: string; display: string }[]
  /** Every consent recorded, newest first, withdrawn ones included. */
  consents: Consent[]
  createdAt: string
  updatedAt: string
}

/** A person as a list of possible duplicates shows them. */
export interface PersonSummary {
  id: string
  nhsNumber: string | null
  givenName: string
  familyName: string
  dateOfBirth: string
  postcode: string | null
  registeredPracticeName: string | null
}
