import{c as x,f as y,g as T,h as A,i as _,k as R}from"./chunks/chunk-MG4OGEQK.js";import{c as L,e as i,g as I,h as v,i as N,l as a}from"./chunks/chunk-WM2E35R4.js";var U=["date","dateTime","gYear","gYearMonth"].map(t=>`xsd:${t}`).join(", ");function j(t){return`${N(["wgs84"])}
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
}`}var B="https://schema.org/foundingDate";function Z(t){let n=y(t);return`${N(["org","prov","rdfs","time","xsd"])}
SELECT DISTINCT ?item ?via ?property ?date ?plabel ?founder WHERE {
  { BIND (${n} AS ?item) BIND ("self" AS ?via) }
  UNION { ${n} ?out ?item . FILTER (isIRI(?item)) BIND ("out" AS ?via) }
  UNION { ?item ?in ${n} . FILTER (isIRI(?item)) BIND ("in" AS ?via) }
  ?item ?property ?date .
  FILTER (datatype(?date) IN (${U}))
  OPTIONAL { ?property rdfs:label ?plabel . FILTER (isLiteral(?plabel)) }
  BIND (EXISTS { ?membership org:member ${n} ; org:organization ?item ; prov:wasGeneratedBy ?founding .
                 ?founding org:resultingOrganization ?item } AS ?founder)
}`}function M(t){return t.split(/[#/]/).pop().replace(/([a-z])([A-Z])/g,"$1 $2").toLowerCase()}function z(t){let n=T()[0]||"en";if(/^\d{4}$/.test(t))return t;if(/^\d{4}-\d{2}$/.test(t))return new Date(`${t}-01T00:00:00Z`).toLocaleDateString(n,{year:"numeric",month:"long",timeZone:"UTC"});let o=new Date(t.length===10?`${t}T00:00:00Z`:t);return Number.isNaN(o.getTime())?t:o.toLocaleDateString(n,{year:"numeric",month:"long",day:"numeric",timeZone:"UTC"})}async function F(t,n,o,r){let m=t.querySelector(n);if(!m)return null;let u=await x(o);return u.length?{box:m,rows:u,info:await _(u.map(c=>c[r].value))}:null}async function Y(t,n){let o=await F(t,"#resource-map",j(n),"place");if(!o)return;let{box:r,rows:m,info:u}=o,c=m.map(s=>({lat:Number(s.lat.value),long:Number(s.long.value),label:u.get(s.place.value)?.label||v(s.place.value,{strict:!1})||s.place.value,href:I(s.place.value),kind:s.via?"context":"city"}));r.closest("[hidden]")?.removeAttribute("hidden"),r.hidden=!1,R(r,c,{label:i("map_where",{label:c[0].label}),padding:8}).map.setView([c[0].lat,c[0].long],5),r.dataset.markers=String(c.length)}function C(t,n){let[o,r=""]=t.split("{name}");return[o,n,r]}async function q(t,n){let o=await F(t,"#resource-timeline",Z(n),"item");if(!o)return;let{box:r,rows:m,info:u}=o,c=new Set(m.filter(e=>e.via.value!=="out").map(e=>e.item.value)),D=T(),s=new Map;for(let e of m){let l=!c.has(e.item.value),f=l&&e.property.value===B&&e.founder?.value==="true",w=[e.date.value,e.property.value,l&&!f?e.item.value:"",f].join("|"),p=s.get(w)||{date:e.date.value,property:e.property.value,items:new Set,context:l&&!f,joined:f},g=e.plabel?.["xml:lang"]||"";e.plabel&&A(g,p.plang,D)&&(p.plabel=e.plabel.value,p.plang=g),p.items.add(e.item.value),s.set(w,p)}let O=[...s.values()].sort((e,l)=>e.date.localeCompare(l.date)),b=e=>a("a",{href:I(e)},u.get(e)?.label||v(e,{strict:!1})||e),$=a("ol",{class:"timeline"},O.map(e=>{let l=[...e.items],f=e.plabel||M(e.property),w=e.plabel&&e.plang&&e.plang.split("-")[0]!==L.lang?e.plang:null,p=a("span",{lang:w},f),g=a("time",{datetime:e.date},z(e.date));if(e.context){let d=b(l[0]),h=e.property===B?C(i("timeline_founded"),d):[d,i("colon"),p];return a("li",{class:"context"},g,a("span",{class:"whose","data-property":e.property},h)," ",a("span",{class:"tag"},i("timeline_not_own")))}if(e.joined)return a("li",{class:"self joined"},g,a("span",{class:"what","data-property":e.property},C(i("timeline_founding_member"),l.map((d,h)=>[h?i("list_separator"):"",b(d)]))));let k=l.length<=3?l.map((d,h)=>[h?i("list_separator"):"",d===n?a("strong",{},i("this_resource")):b(d)]):[i("resources_count",{count:l.length})];return a("li",{class:l.includes(n)?"self":null},g,a("span",{class:"what","data-property":e.property},p,i("colon")),a("span",{class:"who"},k))}));r.querySelector(".timeline-body")?.replaceChildren($)??r.append($),r.hidden=!1}var E=document.getElementById("resource"),S=E?.dataset.iri;S&&(Y(E,S).catch(t=>console.warn("resource map",t)),q(E,S).catch(t=>console.warn("resource timeline",t)));
//# sourceMappingURL=resource.js.map
