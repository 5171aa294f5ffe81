import{c as A,f as y,g as E,h as _,i as R,k as B}from"./chunks/chunk-MG4OGEQK.js";import{c as v,e as i,g as N,h as T,i as S,l as a}from"./chunks/chunk-WM2E35R4.js";var Z=["date","dateTime","gYear","gYearMonth"].map(t=>`xsd:${t}`).join(", ");function M(t){return`${S(["wgs84"])}
SELECT ?place ?lat ?long ?via WHERE {
  {
    BIND (${y(t)} AS ?place)
    ?place wgs84:lat ?lat ; wgs84:long ?long .
  } UNION {
    ${y(t)} ?link ?place .
    FILTER (isIRI(?place))
    ?place wgs84:lat ?lat ; wgs84:long ?long .
    BIND (true AS ?via)
  }
}`}var C="https://schema.org/foundingDate";function z(t){let n=y(t);return`${S(["org","prov","rdfs","time","xsd"])}
SELECT DISTINCT ?item ?via ?property ?date ?plabel ?founder WHERE {
  { BIND (${n} AS ?item) BIND ("self" AS ?via) }
  UNION { ${n} ?out ?item . FILTER (isIRI(?item)) BIND ("out" AS ?via) }
  UNION { ?item ?in ${n} . FILTER (isIRI(?item)) BIND ("in" AS ?via) }
  ?item ?property ?date .
  FILTER (datatype(?date) IN (${Z}))
  OPTIONAL { ?property rdfs:label ?plabel . FILTER (isLiteral(?plabel)) }
  BIND (EXISTS { ?membership org:member ${n} ; org:organization ?item ; prov:wasGeneratedBy ?founding .
                 ?founding org:resultingOrganization ?item } AS ?founder)
}`}function Y(t){return t.split(/[#/]/).pop().replace(/([a-z])([A-Z])/g,"$1 $2").toLowerCase()}function q(t){let n=E()[0]||"en";if(/^\d{4}$/.test(t))return t;if(/^\d{4}-\d{2}$/.test(t))return new Date(`${t}-01T00:00:00Z`).toLocaleDateString(n,{year:"numeric",month:"long",timeZone:"UTC"});let o=new Date(t.length===10?`${t}T00:00:00Z`:t);return Number.isNaN(o.getTime())?t:o.toLocaleDateString(n,{year:"numeric",month:"long",day:"numeric",timeZone:"UTC"})}async function O(t,n,o,l){let u=t.querySelector(n);if(!u)return null;let d=await A(o);return d.length?{box:u,rows:d,info:await R(d.map(c=>c[l].value))}:null}async function G(t,n){let o=await O(t,"#resource-map",M(n),"place");if(!o)return;let{box:l,rows:u,info:d}=o,c=u.map(s=>({lat:Number(s.lat.value),long:Number(s.long.value),label:d.get(s.place.value)?.label||T(s.place.value,{strict:!1})||s.place.value,href:N(s.place.value),kind:s.via?"context":"city"}));l.closest("[hidden]")?.removeAttribute("hidden"),l.hidden=!1,B(l,c,{label:i("map_where",{label:c[0].label}),padding:8}).map.setView([c[0].lat,c[0].long],5),l.dataset.markers=String(c.length)}function F(t,n){let[o,l=""]=t.split("{name}");return[o,n,l]}async function H(t,n){let o=await O(t,"#resource-timeline",z(n),"item");if(!o)return;let{box:l,rows:u,info:d}=o,c=new Set(u.filter(e=>e.via.value!=="out").map(e=>e.item.value)),L=E(),s=new Map;for(let e of u){let r=!c.has(e.item.value),g=r&&e.property.value===C&&e.founder?.value==="true",w=[e.date.value,e.property.value,r&&!g?e.item.value:"",g].join("|"),m=s.get(w)||{date:e.date.value,property:e.property.value,items:new Set,context:r&&!g,joined:g},h=e.plabel?.["xml:lang"]||"";e.plabel&&_(h,m.plang,L)&&(m.plabel=e.plabel.value,m.plang=h),m.items.add(e.item.value),s.set(w,m)}let k=[...s.values()].sort((e,r)=>e.date.localeCompare(r.date)),b=e=>d.get(e)?.label||T(e,{strict:!1})||e,I=e=>a("a",{href:N(e)},b(e)),U=new Intl.Collator(v.lang),x=a("ol",{class:"timeline"},k.map(e=>{let r=[...e.items].sort((p,f)=>U.compare(b(p),b(f))),g=e.plabel||Y(e.property),w=e.plabel&&e.plang&&e.plang.split("-")[0]!==v.lang?e.plang:null,m=a("span",{lang:w},g),h=a("time",{datetime:e.date},q(e.date));if(e.context){let p=I(r[0]),f=e.property===C?F(i("timeline_founded"),p):[p,i("colon"),m];return a("li",{class:"context"},h,a("span",{class:"whose","data-property":e.property},f)," ",a("span",{class:"tag"},i("timeline_not_own")))}if(e.joined)return a("li",{class:"self joined"},h,a("span",{class:"what","data-property":e.property},F(i("timeline_founding_member"),r.map((p,f)=>[f?i("list_separator"):"",I(p)]))));let j=r.length<=3?r.map((p,f)=>[f?i("list_separator"):"",p===n?a("strong",{},i("this_resource")):I(p)]):[i("resources_count",{count:r.length})];return a("li",{class:r.includes(n)?"self":null},h,a("span",{class:"what","data-property":e.property},m,i("colon")),a("span",{class:"who"},j))}));l.querySelector(".timeline-body")?.replaceChildren(x)??l.append(x),l.hidden=!1}var $=document.getElementById("resource"),D=$?.dataset.iri;D&&(G($,D).catch(t=>console.warn("resource map",t)),H($,D).catch(t=>console.warn("resource timeline",t)));
//# sourceMappingURL=resource.js.map
