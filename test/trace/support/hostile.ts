/** A message body that is code trying to break out of the page it is shown in. */
export const HOSTILE = '</script><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> & <!-- ; # %%';
