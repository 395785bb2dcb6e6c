// The dashboard's addresses of its pages, for links; small on purpose: the jobs list loads it first.

/** A configuration's page. */
export const configurationHref = (componentId: string, configId: string) => `/components/${encodeURIComponent(componentId)}/${encodeURIComponent(configId)}`;
