// A client of MESH, the NHS's Message Exchange for Social Care and Health, written to its
// published API (version 2): the NHSMESH authorisation header (an HMAC-SHA256 over the mailbox,
// a nonce, its count, the password and the time, keyed by the environment's shared secret),
// mailbox look-up by ODS code and workflow, sending with `mex-` headers in chunks, the inbox,
// download, acknowledgement and tracking. Mutual TLS with the client certificate MESH issues.
// Not yet tested against NHS England's integration environment: the tests use a local server that
// follows the same specification (mesh-testing.ts).

import { createHmac, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type { MeshConfig } from '../config.ts'

export const MESH_ACCEPT = 'application/vnd.mesh.v2+json'
/** MESH takes messages of up to 100 MB in one request; larger ones go in chunks. */
export const DEFAULT_CHUNK_SIZE = 100 * 1024 * 1024

/** The time as MESH's authorisation header wants it: `YYYYMMDDHHMM`, UTC. */
export function meshTimestamp(now: Date): string {
  return now.toISOString().replace(/[-:T]/g, '').slice(0, 12)
}

/** `NHSMESH mailbox:nonce:count:timestamp:hmac`. */
export function meshAuthorization(
  mailbox: string,
  password: string,
  sharedKey: string,
  now: Date,
  nonce: string = randomUUID(),
  nonceCount = 0,
): string {
  const timestamp = meshTimestamp(now)
  const hash = createHmac('sha256', sharedKey)
    .update(`${mailbox}:${nonce}:${nonceCount}:${password}:${timestamp}`)
    .digest('hex')
  return `NHSMESH ${mailbox}:${nonce}:${nonceCount}:${timestamp}:${hash}`
}

/** A MESH answer that is not a success; `retryable` says whether trying later may work. */
export class MeshError extends Error {
  readonly status: number | null
  readonly retryable: boolean
  constructor(message: string, status: number | null) {
    super(message)
    this.status = status
    this.retryable = status === null || status >= 500 || status === 429 || status === 408
  }
}

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

export interface SendInput {
  /** The recipient's mailbox id. */
  to: string
  workflowId: string
  body: Buffer
  subject?: string
  /** Kith's own id for the message, to track it by. */
  localId?: string
  filename?: string
  contentType?: string
}

export class MeshClient {
  readonly #config: MeshConfig
  readonly #agent: http.Agent | https.Agent
  readonly #chunkSize: number
  readonly #timeoutMs: number
  #nonceCount = 0

  constructor(config: MeshConfig, options: { chunkSize?: number; timeoutMs?: number } = {}) {
    this.#config = config
    this.#chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE
    this.#timeoutMs = options.timeoutMs ?? 30_000
    const read = (file: string | undefined) => (file ? readFileSync(file) : undefined)
    this.#agent = config.url.startsWith('https:')
      ? new https.Agent({
          keepAlive: true,
          ...(config.clientCert ? { cert: read(config.clientCert) } : {}),
          ...(config.clientKey ? { key: read(config.clientKey) } : {}),
          ...(config.caCert ? { ca: read(config.caCert) } : {}),
        })
      : new http.Agent({ keepAlive: true })
  }

  get mailbox(): string {
    return this.#config.mailbox
  }

  async #request(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: Buffer,
  ): Promise<Answer> {
    const url = new URL(path, `${this.#config.url}/`)
    const authorization = meshAuthorization(
      this.#config.mailbox,
      this.#config.password,
      this.#config.sharedKey,
      new Date(),
      randomUUID(),
      this.#nonceCount++,
    )
    const transport = url.protocol === 'https:' ? https : http
    return new Promise<Answer>((resolve, reject) => {
      const request = transport.request(
        url,
        {
          method,
          agent: this.#agent,
          timeout: this.#timeoutMs,
          headers: {
            authorization,
            accept: MESH_ACCEPT,
            'user-agent': 'Kith',
            ...(body ? { 'content-length': String(body.length) } : {}),
            ...headers,
          },
        },
        (response) => {
          const chunks: Buffer[] = []
          response.on('data', (chunk: Buffer) => chunks.push(chunk))
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks),
            }),
          )
          response.on('error', reject)
        },
      )
      request.on('timeout', () => request.destroy(new Error('MESH did not answer in time')))
      request.on('error', (error) => reject(new MeshError(`No answer from MESH (${error.message})`, null)))
      if (body) request.write(body)
      request.end()
    })
  }

  async #expect(answer: Answer, ok: number[], what: string): Promise<Answer> {
    if (ok.includes(answer.status)) return answer
    let detail = ''
    try {
      const parsed = JSON.parse(answer.body.toString()) as {
        errorDescription?: string
        errorCode?: string
        detail?: unknown
      }
      detail = [parsed.errorCode, parsed.errorDescription].filter(Boolean).join(' ')
    } catch {
      // A body that is not JSON says nothing more.
    }
    throw new MeshError(
      `MESH answered ${answer.status} to ${what}${detail ? `: ${detail}` : ''}`,
      answer.status,
    )
  }

  #base(): string {
    return `messageexchange/${encodeURIComponent(this.#config.mailbox)}`
  }

  /** Validates the mailbox (MESH asks clients to do this once a day). */
  async handshake(): Promise<void> {
    await this.#expect(
      await this.#request('POST', this.#base(), { 'mex-clientversion': 'Kith' }),
      [200],
      'the handshake',
    )
  }

  /** The mailbox that takes this workflow for the organisation with the ODS code, if any. */
  async lookup(odsCode: string, workflowId: string): Promise<string | undefined> {
    const answer = await this.#expect(
      await this.#request(
        'GET',
        `messageexchange/endpointlookup/${encodeURIComponent(odsCode)}/${encodeURIComponent(workflowId)}`,
      ),
      [200],
      'the mailbox look-up',
    )
    const found = JSON.parse(answer.body.toString()) as { results?: { address?: string }[] }
    return found.results?.[0]?.address
  }

  /** Sends a message, in chunks when it is large; returns MESH's message id. */
  async send(input: SendInput): Promise<string> {
    const chunks: Buffer[] = []
    for (let at = 0; at < input.body.length || chunks.length === 0; at += this.#chunkSize)
      chunks.push(input.body.subarray(at, at + this.#chunkSize))
    const headers = (index: number): Record<string, string> => ({
      'content-type': 'application/octet-stream',
      'mex-to': input.to,
      'mex-workflowid': input.workflowId,
      'mex-chunk-range': `${index + 1}:${chunks.length}`,
      ...(input.subject ? { 'mex-subject': input.subject } : {}),
      ...(input.localId ? { 'mex-localid': input.localId } : {}),
      ...(input.filename ? { 'mex-filename': input.filename } : {}),
      ...(input.contentType ? { 'mex-content-type': input.contentType } : {}),
    })
    const first = await this.#expect(
      await this.#request('POST', `${this.#base()}/outbox`, headers(0), chunks[0]),
      [202],
      'sending a message',
    )
    const messageId = (JSON.parse(first.body.toString()) as { message_id?: string }).message_id
    if (!messageId) throw new MeshError('MESH gave no message id', first.status)
    for (let index = 1; index < chunks.length; index++)
      await this.#expect(
        await this.#request(
          'POST',
          `${this.#base()}/outbox/${messageId}/${index + 1}`,
          headers(index),
          chunks[index],
        ),
        [202],
        `sending chunk ${index + 1}`,
      )
    return messageId
  }

  /** The ids of the messages waiting in the inbox. */
  async inbox(): Promise<string[]> {
    const answer = await this.#expect(
      await this.#request('GET', `${this.#base()}/inbox`),
      [200],
      'listing the inbox',
    )
    return (JSON.parse(answer.body.toString()) as { messages?: string[] }).messages ?? []
  }

  /** A message's content, every chunk joined, with its `mex-` headers. */
  async download(messageId: string): Promise<{ body: Buffer; headers: http.IncomingHttpHeaders }> {
    const first = await this.#expect(
      await this.#request('GET', `${this.#base()}/inbox/${messageId}`),
      [200, 206],
      'downloading a message',
    )
    const parts = [first.body]
    const total = Number(String(first.headers['mex-chunk-range'] ?? '1:1').split(':')[1] ?? 1)
    for (let chunk = 2; chunk <= total; chunk++) {
      const next = await this.#expect(
        await this.#request('GET', `${this.#base()}/inbox/${messageId}/${chunk}`),
        [200, 206],
        `downloading chunk ${chunk}`,
      )
      parts.push(next.body)
    }
    return { body: Buffer.concat(parts), headers: first.headers }
  }

  /** Acknowledges a message: MESH removes it from the inbox. */
  async acknowledge(messageId: string): Promise<void> {
    await this.#expect(
      await this.#request('PUT', `${this.#base()}/inbox/${messageId}/status/acknowledged`),
      [200],
      'acknowledging a message',
    )
  }

  /** Where a sent message is: MESH's tracking record (`status`: accepted, acknowledged, …). */
  async track(messageId: string): Promise<{ status?: string; [key: string]: unknown }> {
    const answer = await this.#expect(
      await this.#request('GET', `${this.#base()}/outbox/tracking/${messageId}`),
      [200],
      'tracking a message',
    )
    return JSON.parse(answer.body.toString()) as { status?: string }
  }

  close(): void {
    this.#agent.destroy()
  }
}
