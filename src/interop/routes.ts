// Notifications in the app (every signed-in user's list, the unread count in the header), the
// administrators' outbox, and the job that delivers the outbox by email and SMS.

import type { FastifyInstance } from 'fastify'
import { rolesAccess, SIGNED_IN } from '../access/permissions.ts'
import { ROLES } from '../access/roles.ts'
import { isId } from '../db/ids.ts'
import type { AppContext } from '../web/context.ts'
import { isApiPath } from '../web/paths.ts'
import { notFound } from '../web/problem.ts'
import { deliveryJob } from './delivery.ts'
import { countUnread, listNotifications, markAllRead, markRead } from './notifications.ts'
import { countOutbox, getOutboxMessage, listOutbox } from './outbox.ts'
import { OUTBOX_STATUSES, type OutboxStatus } from './tables.ts'
import './tables.ts'

const ADMIN = rolesAccess('administrator')
const PAGE_SIZE = 50

export const OUTBOX_STATUS_LABELS: Record<OutboxStatus, string> = {
  pending: 'Waiting to be sent',
  sent: 'Sent',
  failed: 'Failed',
  not_sent: 'Not sent',
  no_address: 'No address',
}

export const CHANNEL_LABELS = {
  email: 'Email',
  sms: 'Text message',
  'fhir-message': 'BaRS message',
  mesh: 'MESH message',
} as const

/** Who answers each channel's sends, and what they call the message once they have it. */
const PROVIDER_LABELS = {
  email: { answered: 'Notify answered', reference: 'GOV.UK Notify reference' },
  sms: { answered: 'Notify answered', reference: 'GOV.UK Notify reference' },
  'fhir-message': { answered: 'The endpoint answered', reference: 'Message id' },
  mesh: { answered: 'MESH answered', reference: 'MESH message id' },
} as const

/** The navigation item's text: the count of unread notifications in words a screen reader says well. */
export function notificationsLinkText(unread: number): string {
  return unread > 0 ? `Notifications (${unread} unread)` : 'Notifications'
}

export function notificationRoutes(app: FastifyInstance, context: AppContext) {
  const { db, config } = context

  // Other capabilities add senders for their channels (FHIR messages, MESH) as they register.
  context.jobs.add(deliveryJob(config, () => context.senders))

  context.navigation.push({ text: 'Notifications', href: '/notifications', roles: ROLES, order: 90 })
  context.homeCards.push({
    roles: ['administrator'],
    heading: 'Outbox',
    description:
      'Read the emails, text messages and messages to GP practices and other systems Kith has sent, is about to send, or could not send.',
    href: '/admin/outbox',
    order: 4,
  })

  // The unread count, on every page a signed-in user sees.
  app.addHook('preHandler', async (request, reply) => {
    if (!request.user || isApiPath(request.url)) return
    const item = (reply.locals?.navigation as { href: string; text: string }[] | undefined)?.find(
      (entry) => entry.href === '/notifications',
    )
    if (item) item.text = notificationsLinkText(await countUnread(db, request.user.id))
  })

  app.get('/notifications', { config: { access: SIGNED_IN } }, async (request, reply) => {
    const user = request.user!
    const query = request.query as { before?: string }
    const before = isId(query.before) ? query.before : undefined
    const found = await listNotifications(db, user.id, { before, limit: PAGE_SIZE + 1 })
    const notifications = found.slice(0, PAGE_SIZE)
    const unread = await countUnread(db, user.id)
    return reply.view('interop/views/notifications.njk', {
      pageTitle: 'Notifications',
      notifications,
      unread,
      olderHref: found.length > PAGE_SIZE ? `/notifications?before=${notifications.at(-1)?.id}` : undefined,
      newestHref: before ? '/notifications' : undefined,
      flash:
        (request.query as { done?: string }).done === 'all'
          ? 'Every notification is marked as read.'
          : undefined,
    })
  })

  app.post('/notifications/:id/read', { config: { access: SIGNED_IN } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    if (!isId(id) || !(await markRead(db, request.user!.id, id, context.now()))) throw notFound()
    return reply.redirect(`/notifications#notification-${id}`, 303)
  })

  app.post('/notifications/read-all', { config: { access: SIGNED_IN } }, async (request, reply) => {
    await markAllRead(db, request.user!.id, context.now())
    return reply.redirect('/notifications?done=all', 303)
  })

  app.get('/admin/outbox', { config: { access: ADMIN } }, async (request, reply) => {
    const query = request.query as { status?: string; before?: string }
    const status = (OUTBOX_STATUSES as readonly string[]).includes(query.status ?? '')
      ? (query.status as OutboxStatus)
      : undefined
    const before = isId(query.before) ? query.before : undefined
    const found = await listOutbox(db, { status, before, limit: PAGE_SIZE + 1 })
    const messages = found.slice(0, PAGE_SIZE)
    const params = new URLSearchParams()
    if (status) params.set('status', status)
    if (found.length > PAGE_SIZE) params.set('before', messages.at(-1)?.id ?? '')
    return reply.view('interop/views/outbox.njk', {
      pageTitle: 'Outbox',
      messages,
      counts: await countOutbox(db),
      status,
      statuses: OUTBOX_STATUSES,
      statusLabels: OUTBOX_STATUS_LABELS,
      channelLabels: CHANNEL_LABELS,
      notifyConfigured: !!config.notifyApiKey,
      smsConfigured: !!config.notifyApiKey && !!config.notifySmsTemplateId,
      meshConfigured: !!config.mesh,
      olderHref: found.length > PAGE_SIZE ? `/admin/outbox?${params}` : undefined,
    })
  })

  app.get('/admin/outbox/:id', { config: { access: ADMIN } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const message = isId(id) ? await getOutboxMessage(db, id) : undefined
    if (!message) throw notFound()
    return reply.view('interop/views/outbox-message.njk', {
      pageTitle: `${CHANNEL_LABELS[message.channel]}: ${message.subject}`,
      back: { href: '/admin/outbox', text: 'Back to the outbox' },
      message,
      statusLabels: OUTBOX_STATUS_LABELS,
      channelLabels: CHANNEL_LABELS,
      providerLabel: PROVIDER_LABELS[message.channel],
      publicUrl: config.publicUrl,
    })
  })
}
