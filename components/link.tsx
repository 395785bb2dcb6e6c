"use client";

// The dashboard's links: a plain <a> that navigates on the client (the router keeps the layout and
// the query cache) and warms its page when pointed at or focused. next/link would add its viewport
// prefetching, ≈ 3 KB gzipped in every page's first load, for pages that are rendered per request
// and that most of our links had told it not to prefetch anyway.
import { useRouter } from "next/navigation";
import type { AnchorHTMLAttributes, FocusEvent, MouseEvent, Ref } from "react";

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & {
  href: string;
  /** Warm the page on hover and focus (default); false for lists of many rows. */
  prefetch?: boolean;
  replace?: boolean;
  scroll?: boolean;
  ref?: Ref<HTMLAnchorElement>;
};

/** Same-origin paths navigate in the app; anything else (other sites, `#…`, downloads) is the browser's. */
const inApp = (href: string) => href.startsWith("/") && !href.startsWith("//");

export function Link({ href, prefetch = true, replace = false, scroll = true, onClick, onMouseEnter, onFocus, ...props }: LinkProps) {
  const router = useRouter();
  const warm = () => {
    if (prefetch && inApp(href)) router.prefetch(href);
  };
  function navigate(event: MouseEvent<HTMLAnchorElement>) {
    onClick?.(event);
    const newTab = event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
    if (event.defaultPrevented || newTab || !inApp(href) || (props.target && props.target !== "_self") || props.download !== undefined) return;
    event.preventDefault();
    if (replace) router.replace(href, { scroll });
    else router.push(href, { scroll });
  }
  return (
    <a
      href={href}
      {...props}
      onClick={navigate}
      onMouseEnter={(event: MouseEvent<HTMLAnchorElement>) => {
        onMouseEnter?.(event);
        warm();
      }}
      onFocus={(event: FocusEvent<HTMLAnchorElement>) => {
        onFocus?.(event);
        warm();
      }}
    />
  );
}
