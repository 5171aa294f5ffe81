import{c as b,f as d,g as T,h as $,j as N}from"./chunks/chunk-5KWPIQXJ.js";import{f,g,h,k as i}from"./chunks/chunk-54KIWUIZ.js";var L=["date","dateTime","gYear","gYearMonth"].map(e=>`xsd:${e}`).join(", ");function R(e){return`${h(["wgs84"])}
SELECT ?place ?lat ?long ?via WHERE {
  {
    BIND (${d(e)} AS ?place)
    ?place wgs84:lat ?lat ; wgs84:long ?long .
  } UNION {
    ${d(e)} ?link ?place .
    FILTER (isIRI(?place))
    ?place wgs84:lat ?lat ; wgs84:long ?long .
    BIND (true AS ?via)
  }
}`}function D(e){let t=d(e);return`${h(["rdfs","time","xsd"])}
SELECT DISTINCT ?item ?property ?date ?plabel WHERE {
  { BIND (${t} AS ?item) }
  UNION { ${t} ?out ?item . FILTER (isIRI(?item)) }
  UNION { ?item ?in ${t} . FILTER (isIRI(?item)) }
  ?item ?property ?date .
  FILTER (datatype(?date) IN (${L}))
  OPTIONAL { ?property rdfs:label ?plabel . FILTER (langMatches(lang(?plabel), "en")) }
}`}function C(e){return e.split(/[#/]/).pop().replace(/([a-z])([A-Z])/g,"$1 $2").toLowerCase()}function x(e){let t=T()[0]||"en";if(/^\d{4}$/.test(e))return e;if(/^\d{4}-\d{2}$/.test(e))return new Date(`${e}-01T00:00:00Z`).toLocaleDateString(t,{year:"numeric",month:"long",timeZone:"UTC"});let o=new Date(e.length===10?`${e}T00:00:00Z`:e);return Number.isNaN(o.getTime())?e:o.toLocaleDateString(t,{year:"numeric",month:"long",day:"numeric",timeZone:"UTC"})}async function E(e,t,o,l){let p=e.querySelector(t);if(!p)return null;let c=await b(o);return c.length?{box:p,rows:c,info:await $(c.map(n=>n[l].value))}:null}async function A(e,t){let o=await E(e,"#resource-map",R(t),"place");if(!o)return;let{box:l,rows:p,info:c}=o,n=p.map(r=>({lat:Number(r.lat.value),long:Number(r.long.value),label:c.get(r.place.value)?.label||g(r.place.value,{strict:!1})||r.place.value,href:f(r.place.value),kind:r.via?"context":"city"}));l.closest("[hidden]")?.removeAttribute("hidden"),l.hidden=!1,N(l,n,{label:`Map: where ${n[0].label} is`,padding:8}).map.setView([n[0].lat,n[0].long],5),l.dataset.markers=String(n.length)}async function F(e,t){let o=await E(e,"#resource-timeline",D(t),"item");if(!o)return;let{box:l,rows:p,info:c}=o,n=new Map;for(let a of p){let s=`${a.date.value}|${a.property.value}`,u=n.get(s)||{date:a.date.value,property:a.property.value,plabel:a.plabel?.value,items:new Set};u.items.add(a.item.value),n.set(s,u)}let y=[...n.values()].sort((a,s)=>a.date.localeCompare(s.date)),r=i("ol",{class:"timeline"},y.map(a=>{let s=[...a.items],u=a.plabel||C(a.property),S=s.length<=3?s.map((m,v)=>[v?", ":"",m===t?i("strong",{},"this resource"):i("a",{href:f(m)},c.get(m)?.label||g(m,{strict:!1})||m)]):[`${s.length} resources`];return i("li",{class:s.includes(t)?"self":null},i("time",{datetime:a.date},x(a.date)),i("span",{class:"what"},u,": "),i("span",{class:"who"},S))}));l.querySelector(".timeline-body")?.replaceChildren(r)??l.append(r),l.hidden=!1}var I=document.getElementById("resource"),w=I?.dataset.iri;w&&(A(I,w).catch(e=>console.warn("resource map",e)),F(I,w).catch(e=>console.warn("resource timeline",e)));
//# sourceMappingURL=resource.js.map
