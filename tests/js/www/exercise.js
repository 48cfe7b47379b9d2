// The same checks in a page, a dedicated worker and a module service worker: the module is
// usable after `ready`, a filter validates, and an error is an `ODataError` with a UTF-16
// position (💝 counts as two code units).
export function exercise({ validateFilter, ODataError }) {
  const info = validateFilter("status eq 'New'");
  const text = "customerProfile/name eq '💝' and stauts eq 'New'";
  let error;
  try {
    validateFilter(text);
  } catch (e) {
    error = e;
  }
  return {
    canonical: info.canonical,
    fields: info.fields,
    isODataError: error instanceof ODataError,
    isError: error instanceof Error,
    name: error && error.name,
    code: error && error.code,
    position: error && error.position,
    offending: error && text.slice(error.position, error.end),
  };
}
