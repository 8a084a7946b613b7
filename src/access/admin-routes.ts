// The administrator's pages: organisations (as a tree), users and their roles, the audit log.

import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { isId } from '../db/ids.ts'
import type { AppContext } from '../web/context.ts'
import { formErrors, parse } from '../web/forms.ts'
import { notFound } from '../web/problem.ts'
import { audit, auditRefusals, listAuditEvents } from './audit.ts'
import { hashPassword } from './passwords.ts'
import { rolesAccess } from './permissions.ts'
import {
  isOrganisationKind,
  ORGANISATION_KIND_LABELS,
  ORGANISATION_KINDS,
  ROLE_LABELS,
  ROLES,
} from './roles.ts'
import { endSessionsOf } from './sessions.ts'
import {
  addMembership,
  createOrganisation,
  createUser,
  findUserByEmail,
  getOrganisation,
  getUser,
  listOrganisations,
  listUsers,
  membershipsOf,
  removeMembership,
  setUserActive,
  setUserPassword,
  updateOrganisation,
  updateUser,
} from './store.ts'
import { buildTree, wouldCycle } from './tree.ts'

const ADMIN = rolesAccess('administrator')

const optionalText = (max: number, message: string) =>
  z
    .string()
    .trim()
    .max(max, message)
    .transform((value) => (value === '' ? null : value))

const organisationSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Enter the name of the organisation')
    .max(200, 'Name must be 200 characters or fewer'),
  kind: z.string().refine(isOrganisationKind, 'Select what kind of organisation it is'),
  parentId: z
    .string()
    .optional()
    .transform((value) => (value ? value : null))
    .refine((value) => value === null || isId(value), 'Select a parent organisation from the list'),
  odsCode: optionalText(10, 'ODS code must be 10 characters or fewer')
    .transform((value) => value?.toUpperCase() ?? null)
    .refine(
      (value) => value === null || /^[A-Z0-9]{3,10}$/.test(value),
      'ODS code must be 3 to 10 letters and numbers, like A86021',
    ),
  postcode: optionalText(8, 'Postcode must be 8 characters or fewer')
    .transform((value) => (value ? value.replace(/\s+/g, '').toUpperCase() : null))
    .refine(
      (value) => value === null || /^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/.test(value),
      'Enter a real postcode, like EX15 1FE',
    )
    .transform((value) => (value ? `${value.slice(0, -3)} ${value.slice(-3)}` : null)),
})

const userSchema = z.object({
  name: z.string().trim().min(1, 'Enter their full name').max(200, 'Name must be 200 characters or fewer'),
  email: z
    .string()
    .trim()
    .min(1, 'Enter their email address')
    .email('Enter an email address in the correct format, like name@example.nhs.uk')
    .transform((value) => value.toLowerCase()),
})

const membershipSchema = z.object({
  organisationId: z.string().refine(isId, 'Select an organisation'),
  role: z.enum(ROLES, { error: 'Select a role' }),
  title: optionalText(100, 'Title must be 100 characters or fewer'),
})

function temporaryPassword(): string {
  return randomBytes(12).toString('base64url')
}

export function adminRoutes(app: FastifyInstance, context: AppContext) {
  const { db } = context
  // Records refused to signed-in users (a thrown `refused(...)`) reach the audit log here, once.
  auditRefusals(app, db)

  context.navigation.push({
    text: 'Organisations',
    href: '/admin/organisations',
    roles: ['administrator'],
    order: 80,
  })
  context.navigation.push({ text: 'Users', href: '/admin/users', roles: ['administrator'], order: 81 })
  context.navigation.push({ text: 'Audit log', href: '/admin/audit', roles: ['administrator'], order: 82 })
  context.homeCards.push(
    {
      roles: ['administrator'],
      heading: 'Organisations',
      description:
        'Add and edit areas, programme bodies, primary care networks, practices and community organisations.',
      href: '/admin/organisations',
      order: 1,
    },
    {
      roles: ['administrator'],
      heading: 'Users',
      description: 'Create accounts, give people roles in organisations and deactivate accounts.',
      href: '/admin/users',
      order: 2,
    },
    {
      roles: ['administrator'],
      heading: 'Audit log',
      description: 'See who signed in and who read or changed which record, and when.',
      href: '/admin/audit',
      order: 3,
    },
  )

  const kindItems = (selected?: string) =>
    ORGANISATION_KINDS.map((kind) => ({
      value: kind,
      text: ORGANISATION_KIND_LABELS[kind],
      checked: kind === selected,
    }))

  async function parentItems(selected: string | null | undefined, excluding?: string) {
    const organisations = await listOrganisations(db)
    return [
      { value: '', text: 'None (top level)' },
      ...organisations
        .filter((o) => o.id !== excluding)
        .map((o) => ({
          value: o.id,
          text: `${o.name} (${ORGANISATION_KIND_LABELS[o.kind]})`,
          selected: o.id === selected,
        })),
    ]
  }

  app.get('/admin/organisations', { config: { access: ADMIN } }, async (_request, reply) => {
    const organisations = await listOrganisations(db)
    return reply.view('access/views/admin/organisations.njk', {
      pageTitle: 'Organisations',
      tree: buildTree(organisations),
      count: organisations.length,
      kindLabels: ORGANISATION_KIND_LABELS,
    })
  })

  app.get('/admin/organisations/new', { config: { access: ADMIN } }, async (request, reply) => {
    const { parent } = request.query as { parent?: string }
    return reply.view('access/views/admin/organisation-form.njk', {
      pageTitle: 'Add an organisation',
      action: '/admin/organisations',
      values: {},
      kinds: kindItems(),
      parents: await parentItems(isId(parent) ? parent : null),
    })
  })

  async function saveOrganisation(id: string | undefined, body: unknown) {
    const parsed = parse(organisationSchema, body)
    if (!parsed.ok) return { problems: parsed.problems }
    const input = { ...parsed.value, kind: parsed.value.kind as (typeof ORGANISATION_KINDS)[number] }
    const all = await listOrganisations(db)
    if (input.parentId && !all.some((o) => o.id === input.parentId)) {
      return { problems: [{ field: 'parentId', message: 'Select a parent organisation from the list' }] }
    }
    if (id && wouldCycle(all, id, input.parentId)) {
      return {
        problems: [
          { field: 'parentId', message: 'An organisation cannot sit inside itself or one of its own parts' },
        ],
      }
    }
    if (input.odsCode && all.some((o) => o.odsCode === input.odsCode && o.id !== id)) {
      return { problems: [{ field: 'odsCode', message: 'Another organisation already has this ODS code' }] }
    }
    return { input }
  }

  app.post('/admin/organisations', { config: { access: ADMIN } }, async (request, reply) => {
    const result = await saveOrganisation(undefined, request.body ?? {})
    if (!result.input) {
      const values = (request.body ?? {}) as Record<string, string>
      return reply.status(400).view('access/views/admin/organisation-form.njk', {
        pageTitle: 'Add an organisation',
        action: '/admin/organisations',
        values,
        kinds: kindItems(values.kind),
        parents: await parentItems(values.parentId),
        errors: formErrors(result.problems, { kind: 'kind' }),
      })
    }
    const input = result.input
    const id = await db.transaction().execute(async (trx) => {
      const created = await createOrganisation(trx, input)
      await audit(trx, request.actor, {
        action: 'organisation.create',
        recordType: 'organisation',
        recordId: created,
      })
      return created
    })
    return reply.redirect(`/admin/organisations/${id}?saved=1`, 303)
  })

  app.get('/admin/organisations/:id', { config: { access: ADMIN } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const organisation = isId(id) ? await getOrganisation(db, id) : undefined
    if (!organisation) throw notFound()
    return reply.view('access/views/admin/organisation-form.njk', {
      pageTitle: `Edit ${organisation.name}`,
      action: `/admin/organisations/${id}`,
      organisation,
      values: organisation,
      kinds: kindItems(organisation.kind),
      parents: await parentItems(organisation.parentId, id),
      flash: (request.query as { saved?: string }).saved ? 'The organisation has been saved.' : undefined,
    })
  })

  app.post('/admin/organisations/:id', { config: { access: ADMIN } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const organisation = isId(id) ? await getOrganisation(db, id) : undefined
    if (!organisation) throw notFound()
    const result = await saveOrganisation(id, request.body ?? {})
    if (!result.input) {
      const values = (request.body ?? {}) as Record<string, string>
      return reply.status(400).view('access/views/admin/organisation-form.njk', {
        pageTitle: `Edit ${organisation.name}`,
        action: `/admin/organisations/${id}`,
        organisation,
        values,
        kinds: kindItems(values.kind),
        parents: await parentItems(values.parentId, id),
        errors: formErrors(result.problems),
      })
    }
    const input = result.input
    await db.transaction().execute(async (trx) => {
      await updateOrganisation(trx, id, input)
      await audit(trx, request.actor, {
        action: 'organisation.update',
        recordType: 'organisation',
        recordId: id,
      })
    })
    return reply.redirect(`/admin/organisations/${id}?saved=1`, 303)
  })

  app.get('/admin/users', { config: { access: ADMIN } }, async (request, reply) => {
    const { q } = request.query as { q?: string }
    const text = typeof q === 'string' ? q.trim().slice(0, 100) : ''
    const users = await listUsers(db, { text })
    const memberships = await membershipsOf(
      db,
      users.map((u) => u.id),
    )
    return reply.view('access/views/admin/users.njk', {
      pageTitle: 'Users',
      q: text,
      users: users.map((user) => ({ ...user, memberships: memberships.filter((m) => m.userId === user.id) })),
      roleLabels: ROLE_LABELS,
    })
  })

  app.get('/admin/users/new', { config: { access: ADMIN } }, async (_request, reply) => {
    return reply.view('access/views/admin/user-new.njk', { pageTitle: 'Create a user account', values: {} })
  })

  app.post('/admin/users', { config: { access: ADMIN } }, async (request, reply) => {
    const parsed = parse(userSchema, request.body ?? {})
    const values = (request.body ?? {}) as Record<string, string>
    const problems = parsed.ok ? [] : parsed.problems
    if (parsed.ok && (await findUserByEmail(db, parsed.value.email))) {
      problems.push({ field: 'email', message: 'There is already an account with this email address' })
    }
    if (!parsed.ok || problems.length > 0) {
      return reply.status(400).view('access/views/admin/user-new.njk', {
        pageTitle: 'Create a user account',
        values,
        errors: formErrors(problems),
      })
    }
    const password = temporaryPassword()
    const passwordHash = await hashPassword(password)
    const id = await db.transaction().execute(async (trx) => {
      const created = await createUser(trx, { ...parsed.value, passwordHash })
      await audit(trx, request.actor, { action: 'user.create', recordType: 'user', recordId: created })
      return created
    })
    return reply.view('access/views/admin/user-created.njk', {
      pageTitle: 'Account created',
      userId: id,
      password,
      name: parsed.value.name,
    })
  })

  async function userPage(id: string, extra: Record<string, unknown> = {}) {
    const user = await getUser(db, id)
    if (!user) throw notFound()
    const organisations = await listOrganisations(db)
    return {
      pageTitle: user.name,
      user,
      memberships: await membershipsOf(db, [id]),
      roleLabels: ROLE_LABELS,
      roleItems: ROLES.map((role) => ({ value: role, text: ROLE_LABELS[role] })),
      organisationItems: [
        { value: '', text: 'Select an organisation' },
        ...organisations.map((o) => ({
          value: o.id,
          text: `${o.name} (${ORGANISATION_KIND_LABELS[o.kind]})`,
        })),
      ],
      values: {},
      ...extra,
    }
  }

  app.get('/admin/users/:id', { config: { access: ADMIN } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    if (!isId(id)) throw notFound()
    const page = await userPage(id)
    await audit(db, request.actor, { action: 'user.read', recordType: 'user', recordId: id })
    return reply.view('access/views/admin/user.njk', page)
  })

  app.post('/admin/users/:id', { config: { access: ADMIN } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    if (!isId(id) || !(await getUser(db, id))) throw notFound()
    const parsed = parse(userSchema, request.body ?? {})
    const problems = parsed.ok ? [] : parsed.problems
    if (parsed.ok) {
      const existing = await findUserByEmail(db, parsed.value.email)
      if (existing && existing.id !== id)
        problems.push({ field: 'email', message: 'There is already an account with this email address' })
    }
    if (!parsed.ok || problems.length > 0) {
      return reply
        .status(400)
        .view(
          'access/views/admin/user.njk',
          await userPage(id, { detailErrors: formErrors(problems), errors: formErrors(problems) }),
        )
    }
    await db.transaction().execute(async (trx) => {
      await updateUser(trx, id, parsed.value)
      await audit(trx, request.actor, { action: 'user.update', recordType: 'user', recordId: id })
    })
    return reply.view(
      'access/views/admin/user.njk',
      await userPage(id, { flash: 'The account has been saved.' }),
    )
  })

  app.post('/admin/users/:id/memberships', { config: { access: ADMIN } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    if (!isId(id) || !(await getUser(db, id))) throw notFound()
    const parsed = parse(membershipSchema, request.body ?? {})
    const problems = parsed.ok ? [] : parsed.problems
    if (parsed.ok && !(await getOrganisation(db, parsed.value.organisationId))) {
      problems.push({ field: 'organisationId', message: 'Select an organisation' })
    }
    if (!parsed.ok || problems.length > 0) {
      return reply
        .status(400)
        .view(
          'access/views/admin/user.njk',
          await userPage(id, { errors: formErrors(problems), values: request.body ?? {} }),
        )
    }
    await db.transaction().execute(async (trx) => {
      await addMembership(trx, { userId: id, ...parsed.value })
      await audit(trx, request.actor, {
        action: 'membership.add',
        recordType: 'user',
        recordId: id,
        detail: { organisationId: parsed.value.organisationId, role: parsed.value.role },
      })
    })
    return reply.view(
      'access/views/admin/user.njk',
      await userPage(id, { flash: 'The role has been given.' }),
    )
  })

  app.post(
    '/admin/users/:id/memberships/:membershipId/remove',
    { config: { access: ADMIN } },
    async (request, reply) => {
      const { id, membershipId } = request.params as { id: string; membershipId: string }
      if (!isId(id) || !isId(membershipId)) throw notFound()
      const removed = await db.transaction().execute(async (trx) => {
        const done = await removeMembership(trx, id, membershipId)
        if (done)
          await audit(trx, request.actor, {
            action: 'membership.remove',
            recordType: 'user',
            recordId: id,
            detail: { membershipId },
          })
        return done
      })
      if (!removed) throw notFound()
      return reply.view(
        'access/views/admin/user.njk',
        await userPage(id, { flash: 'The role has been removed.' }),
      )
    },
  )

  for (const [path, active] of [
    ['deactivate', false],
    ['reactivate', true],
  ] as const) {
    app.post(`/admin/users/:id/${path}`, { config: { access: ADMIN } }, async (request, reply) => {
      const { id } = request.params as { id: string }
      if (!isId(id) || !(await getUser(db, id))) throw notFound()
      if (!active && id === request.user?.id) {
        return reply.status(400).view(
          'access/views/admin/user.njk',
          await userPage(id, {
            errors: formErrors([{ field: 'deactivate', message: 'You cannot deactivate your own account' }]),
          }),
        )
      }
      await db.transaction().execute(async (trx) => {
        await setUserActive(trx, id, active)
        if (!active) await endSessionsOf(trx, id)
        await audit(trx, request.actor, { action: `user.${path}`, recordType: 'user', recordId: id })
      })
      return reply.view(
        'access/views/admin/user.njk',
        await userPage(id, {
          flash: active
            ? 'The account can be used again.'
            : 'The account has been deactivated and signed out.',
        }),
      )
    })
  }

  app.post('/admin/users/:id/password', { config: { access: ADMIN } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const user = isId(id) ? await getUser(db, id) : undefined
    if (!user) throw notFound()
    const password = temporaryPassword()
    const passwordHash = await hashPassword(password)
    await db.transaction().execute(async (trx) => {
      await setUserPassword(trx, id, passwordHash)
      await endSessionsOf(trx, id)
      await audit(trx, request.actor, { action: 'user.password-reset', recordType: 'user', recordId: id })
    })
    return reply.view('access/views/admin/user-created.njk', {
      pageTitle: 'Password reset',
      userId: id,
      password,
      name: user.name,
      reset: true,
    })
  })

  app.get('/admin/audit', { config: { access: ADMIN } }, async (request, reply) => {
    const query = request.query as {
      action?: string
      recordType?: string
      recordId?: string
      refusals?: string
      before?: string
    }
    const clean = (value: unknown, pattern: RegExp) =>
      typeof value === 'string' && pattern.test(value) ? value : undefined
    const filter = {
      action: clean(query.action, /^[a-z.-]{1,60}$/),
      recordType: clean(query.recordType, /^[a-z-]{1,40}$/),
      recordId: clean(query.recordId, /^[0-9a-f-]{36}$/i),
      refusals: clean(query.refusals, /^yes$/),
      before: clean(query.before, /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/),
    }
    const pageSize = 50
    const events = await listAuditEvents(db, {
      ...filter,
      refusals: filter.refusals === 'yes',
      limit: pageSize + 1,
    })
    const shown = events.slice(0, pageSize)
    const next = events.length > pageSize ? shown[shown.length - 1]?.at : undefined
    const params = new URLSearchParams(
      Object.entries({ ...filter, before: next }).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    )
    return reply.view('access/views/admin/audit.njk', {
      pageTitle: 'Audit log',
      events: shown,
      filter,
      nextHref: next ? `/admin/audit?${params}` : undefined,
    })
  })
}
