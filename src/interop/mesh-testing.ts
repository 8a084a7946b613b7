// A local MESH server for tests, following the published MESH API (version 2) as the client
// does: it checks the NHSMESH authorisation header (the HMAC, the mailbox, a nonce used once),
// looks mailboxes up by ODS code and workflow, takes messages in chunks and answers the errors
// MESH answers: 401 for a bad header, 403 for another mailbox's inbox, 417 for an unknown
// recipient or workflow, 404 for an unknown message. `failNext` makes it answer 503.

import { createHmac } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

interface StoredMessage {
  id: string
  from: string
  to: string
  workflowId: string
  subject: string | null
  localId: string | null
  chunks: Buffer[]
  totalChunks: number
  status: 'uploading' | 'accepted' | 'acknowledged'
}

export interface LocalMesh {
  url: string
  sharedKey: string
  /** Mailboxes by id, with their password and the ODS code and workflows they take. */
  addMailbox(id: string, password: string, options?: { odsCode?: string; workflows?: string[] }): void
  /** Answers the next `count` requests with 503. */
  failNext(count: number): void
  messages: Map<string, StoredMessage>
  requests: { method: string; path: string; headers: http.IncomingHttpHeaders }[]
  close(): Promise<void>
}

const error = (response: http.ServerResponse, status: number, code: string, description: string) => {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(JSON.stringify({ errorEvent: 'SEND', errorCode: code, errorDescription: description }))
}

export async function startLocalMesh(sharedKey = 'TestKey'): Promise<LocalMesh> {
  const mailboxes = new Map<string, { password: string; odsCode?: string; workflows: string[] }>()
  const messages = new Map<string, StoredMessage>()
  const usedNonces = new Set<string>()
  const requests: LocalMesh['requests'] = []
  let failures = 0
  let counter = 0

  /** The mailbox the header authenticates, or undefined. */
  function authenticate(header: string | undefined): string | undefined {
    const match = header?.match(/^NHSMESH ([^:]+):([^:]+):(\d+):(\d{12}):([0-9a-f]{64})$/)
    if (!match) return undefined
    const [, mailbox, nonce, count, timestamp, hash] = match as unknown as string[]
    const box = mailboxes.get(mailbox ?? '')
    if (!box) return undefined
    const expected = createHmac('sha256', sharedKey)
      .update(`${mailbox}:${nonce}:${count}:${box.password}:${timestamp}`)
      .digest('hex')
    if (expected !== hash) return undefined
    const once = `${mailbox}:${nonce}:${count}`
    if (usedNonces.has(once)) return undefined
    usedNonces.add(once)
    return mailbox
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const path = new URL(request.url ?? '/', 'http://mesh').pathname
      requests.push({ method: request.method ?? '', path, headers: request.headers })
      if (failures > 0) {
        failures--
        return error(response, 503, 'EPL-500', 'Service unavailable')
      }
      const mailbox = authenticate(request.headers.authorization)
      if (!mailbox) return error(response, 401, 'EPL-401', 'Authorisation failed')
      const body = Buffer.concat(chunks)
      const json = (status: number, value: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' })
        response.end(JSON.stringify(value))
      }
      const parts = path.split('/').filter(Boolean).map(decodeURIComponent)
      if (parts[0] !== 'messageexchange') return error(response, 404, 'EPL-404', 'Not found')
      if (parts[1] === 'endpointlookup' && request.method === 'GET') {
        const [, , ods, workflow] = parts
        const results = [...mailboxes.entries()]
          .filter(([, box]) => box.odsCode === ods && box.workflows.includes(workflow ?? ''))
          .map(([id]) => ({ address: id, description: ods, endpoint_type: 'MESH' }))
        return json(200, { results })
      }
      if (parts[1] !== mailbox) return error(response, 403, 'EPL-403', 'Another mailbox')
      const rest = parts.slice(2)
      if (rest.length === 0 && request.method === 'POST') return json(200, { mailboxId: mailbox })
      if (rest[0] === 'outbox' && request.method === 'POST') {
        const [total, of] = String(request.headers['mex-chunk-range'] ?? '1:1')
          .split(':')
          .map(Number)
        if (rest.length === 1) {
          const to = String(request.headers['mex-to'] ?? '')
          const workflowId = String(request.headers['mex-workflowid'] ?? '')
          if (!to || !workflowId)
            return error(response, 400, 'EPL-151', 'mex-to and mex-workflowid are required')
          const recipient = mailboxes.get(to)
          if (!recipient) return error(response, 417, 'EPL-151', 'Unregistered to address')
          if (!recipient.workflows.includes(workflowId))
            return error(response, 417, 'EPL-152', 'Invalid workflow for recipient')
          const id = `${Date.now().toString(36).toUpperCase()}_${String(++counter).padStart(6, '0')}`
          messages.set(id, {
            id,
            from: mailbox,
            to,
            workflowId,
            subject: (request.headers['mex-subject'] as string | undefined) ?? null,
            localId: (request.headers['mex-localid'] as string | undefined) ?? null,
            chunks: [body],
            totalChunks: of ?? 1,
            status: (of ?? 1) > 1 ? 'uploading' : 'accepted',
          })
          void total
          return json(202, { message_id: id })
        }
        const message = messages.get(rest[1] ?? '')
        if (!message || message.from !== mailbox) return error(response, 404, 'EPL-404', 'No such message')
        message.chunks[Number(rest[2]) - 1] = body
        if (message.chunks.filter(Boolean).length === message.totalChunks) message.status = 'accepted'
        return json(202, { message_id: message.id })
      }
      if (rest[0] === 'outbox' && rest[1] === 'tracking' && request.method === 'GET') {
        const message = messages.get(rest[2] ?? '')
        if (!message || message.from !== mailbox) return error(response, 404, 'EPL-404', 'No such message')
        return json(200, {
          message_id: message.id,
          local_id: message.localId,
          recipient: message.to,
          status: message.status,
        })
      }
      if (rest[0] === 'inbox' && request.method === 'GET' && rest.length === 1) {
        const waiting = [...messages.values()].filter((m) => m.to === mailbox && m.status === 'accepted')
        return json(200, { messages: waiting.map((m) => m.id) })
      }
      if (rest[0] === 'inbox' && request.method === 'GET') {
        const message = messages.get(rest[1] ?? '')
        if (!message || message.to !== mailbox || message.status !== 'accepted')
          return error(response, 404, 'EPL-404', 'No such message')
        const chunk = Number(rest[2] ?? 1)
        const content = message.chunks[chunk - 1]
        if (!content) return error(response, 404, 'EPL-404', 'No such chunk')
        response.writeHead(message.totalChunks > 1 ? 206 : 200, {
          'content-type': 'application/octet-stream',
          'mex-from': message.from,
          'mex-to': message.to,
          'mex-workflowid': message.workflowId,
          'mex-messageid': message.id,
          'mex-chunk-range': `${chunk}:${message.totalChunks}`,
          ...(message.subject ? { 'mex-subject': message.subject } : {}),
          ...(message.localId ? { 'mex-localid': message.localId } : {}),
        })
        return response.end(content)
      }
      if (
        rest[0] === 'inbox' &&
        request.method === 'PUT' &&
        rest[2] === 'status' &&
        rest[3] === 'acknowledged'
      ) {
        const message = messages.get(rest[1] ?? '')
        if (!message || message.to !== mailbox) return error(response, 404, 'EPL-404', 'No such message')
        message.status = 'acknowledged'
        return json(200, { message_id: message.id })
      }
      return error(response, 404, 'EPL-404', 'Not found')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sharedKey,
    addMailbox(id, password, options = {}) {
      mailboxes.set(id, {
        password,
        workflows: options.workflows ?? [],
        ...(options.odsCode ? { odsCode: options.odsCode } : {}),
      })
    },
    failNext(count) {
      failures = count
    },
    messages,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
