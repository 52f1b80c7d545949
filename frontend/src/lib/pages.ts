// The pages loaded only when first opened (components/Lazy.svelte), each a
// chunk of its own: together about a third of the page code, opened by few
// people or once (Security settings, sharing, importing, the account pages).
// Stable functions, so a page is not loaded again on every change.

export const loadSecurity = () => import('../pages/Security.svelte');
export const loadImport = () => import('../pages/Import.svelte');
export const loadShares = () => import('../pages/Shares.svelte');
export const loadShareRecord = () => import('../pages/ShareRecord.svelte');
export const loadShareOpen = () => import('../pages/ShareOpen.svelte');
export const loadSignUp = () => import('../pages/SignUp.svelte');
export const loadActivate = () => import('../pages/Activate.svelte');
export const loadForgot = () => import('../pages/Forgot.svelte');
