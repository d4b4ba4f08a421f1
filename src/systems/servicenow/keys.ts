/**
 * ServiceNow compares coalesce and reference values without regard to case (string fields are
 * case-insensitive in the instance's default collation), so dimension keys are compared the same way.
 * https://www.servicenow.com/docs/bundle/xanadu-integrate-applications/page/script/server-scripting/concept/c_ImportSetCoalesce.html
 */
export function serviceNowKey(key: string): string {
  return key.trim().toLowerCase();
}
