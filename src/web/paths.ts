/** JSON interfaces: authenticated by bearer token, errors as problem documents, no CSRF. */
export function isApiPath(url: string): boolean {
  return /^\/(api|openreferral|fhir)(\/|\?|$)/.test(url)
}
