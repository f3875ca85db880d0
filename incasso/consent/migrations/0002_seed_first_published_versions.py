"""Seed the first published versions: the privacy statement (NL/EN) and the consent texts for cookies and the newsletter.

The texts are frozen here, as they were published; later versions are made with the services, never by editing
this migration. Reversing removes only versions that nobody has consented to (the records protect the rest).
"""

from django.db import migrations
from django.utils import timezone

STATEMENT_NL = """\
# Wie wij zijn en waarvoor deze verklaring is

Deze privacyverklaring beschrijft hoe ons incassobureau persoonsgegevens verwerkt. Wij houden ons aan de Algemene verordening gegevensbescherming (AVG, Verordening (EU) 2016/679). Onze naam, ons adres en onze contactgegevens staan onderaan deze pagina.

# Wat zijn persoonsgegevens en wat is verwerken?

Persoonsgegevens zijn alle gegevens die wij met u in verband kunnen brengen, zoals uw naam, telefoonnummer, e-mailadres of het IP-adres van uw computer. Bent u zzp'er, eenmanszaak, vof of maatschap, dan zijn ook de gegevens van uw bedrijf persoonsgegevens, omdat ze direct naar u herleidbaar zijn. Verwerken is alles wat met gegevens kan gebeuren: verzamelen, vastleggen, ordenen, bewaren, wijzigen, opvragen, raadplegen, gebruiken, verstrekken, verspreiden, combineren, afschermen, wissen en vernietigen.

# Heeft u een incassobrief of aanmaning van ons ontvangen? (debiteuren)

Wij verwerken gegevens van debiteuren en hun vertegenwoordigers, van partijen die een andere verplichting moeten nakomen en van partijen die mede hoofdelijk aansprakelijk zijn (zoals vennoten en borgen). Meestal doen wij dat als verwerker voor onze opdrachtgever: het bedrijf waarmee u een overeenkomst heeft. Die opdrachtgever is verwerkingsverantwoordelijke, bepaalt het doel en geeft ons instructies, die wij volgen. Onze afspraken staan in een verwerkersovereenkomst, met geheimhouding, beveiliging en onze plichten bij een datalek. Wilt u een privacyrecht uitoefenen voor gegevens die wij voor een opdrachtgever verwerken, dan is de opdrachtgever daarvoor het aanspreekpunt; een verzoek dat u bij ons doet, sturen wij met het bewijs en de termijn door naar de opdrachtgever, wij laten u dat weten en voeren het uit op diens instructie. Voor vorderingen die wij zelf bezitten zijn wij verwerkingsverantwoordelijke.

Wij verwerken uw gegevens omdat u een opeisbare schuld heeft, om op een effectieve en wettelijk correcte manier betaling (of een andere afwikkeling), vaststelling van de vordering of tenuitvoerlegging te bereiken. Grondslagen: uitvoering van een overeenkomst, een wettelijke verplichting, een taak van algemeen belang en het gerechtvaardigd belang dat een onbetaalde schuld wordt voldaan (AVG art. 6 lid 1 b, c, e en f). "Incassomaatregelen" zijn alle stappen daarvoor: brieven en aanmaningen, regelingen, betalingen, contact met u of uw vertegenwoordiger en met overheden, en gerechtelijke procedures en tenuitvoerlegging.

Wij verwerken uw contact- en adresgegevens en houden die actueel met hulp van een externe dienstverlener, die daarvoor bepaalde gegevens inziet. U bent verplicht deze gegevens te verstrekken voor de uitvoering van de overeenkomst of om te voldoen aan wettelijke verplichtingen. Woont u in het buitenland of verhuist u daarheen, dan kunnen wij een incassobureau in dat land inschakelen en uw gegevens en het dossier met dat bureau delen. Wij verwerken ook gegevens over de schuld, de overeenkomst, de aankoop en (deel)betalingen, en om de juiste maatregel te kiezen enig inzicht in uw financiële situatie, leefomstandigheden, andere schulden en beslagen; die halen wij bij kredietinformatiebureaus en overheidsinstanties, die daarvoor bepaalde gegevens inzien. Op basis daarvan besluiten wij welke brief u krijgt en of wij juridische stappen zetten. Dat gebeurt soms geautomatiseerd, met profilering op vooraf bepaalde kenmerken; u kunt dan altijd om een menselijke beoordeling vragen en krijgt uitleg over de logica van het besluit.

Gegevens over gezondheid of strafrechtelijke gegevens verwerken wij alleen als dat nodig is voor het instellen, uitoefenen of onderbouwen van een rechtsvordering in uw zaak, of met uw uitdrukkelijke toestemming (AVG art. 9 lid 2 a en f, art. 10 en de Uitvoeringswet AVG). In beperkte mate gebruiken wij gegevens ook voor bedrijfsontwikkeling, methodeontwikkeling, planning, statistiek, monitoring en risicobeheer, op grond van ons gerechtvaardigd belang bij het ontwikkelen van onze bedrijfsvoering en het voorkomen van kredietverliezen (art. 6 lid 1 f).

# Bent u (contactpersoon van) een opdrachtgever, partner of overheidsinstantie?

Voor opdrachtgevers, hun contactpersonen, vennoten en borgen, contactpersonen van mogelijke opdrachtgevers, van dienstverleners en partners en van overheidsinstanties zijn wij verwerkingsverantwoordelijke. Wij verwerken onder meer (bedrijfs)contactgegevens, naam, adres, woonplaats, e-mailadres, telefoonnummer, geboortedatum en rekeningnummer, en wat wij vastleggen als u contact met ons heeft (telefoon, website, sociale media). Wij gebruiken ze voor het contactbeheer, de uitvoering van de overeenkomst of samenwerking en voor boekhouding en facturering (art. 6 lid 1 b, c en f); op grond van ons gerechtvaardigd belang ook voor de marketing van onze diensten en de ontwikkeling van ons klantenbestand. Gegevens van contactpersonen bij overheidsinstanties gebruiken wij voor juridische stappen rond vorderingen (art. 6 lid 1 c, e en f).

Bij de acceptatie van opdrachtgevers, partners en borgen controleren wij op witwassen en beoordelen wij solvabiliteit en zekerheid, met alleen de gegevens die daarvoor nodig zijn (ook over bezittingen, schulden en inkomen), uit openbare bronnen zoals de Kamer van Koophandel, handelsinformatiebureaus, het insolventieregister en openbare informatie op internet (art. 6 lid 1 b en c en de Wwft). Gevoelige gegevens verwerken wij daarbij alleen als de witwascontrole dat vereist. In beperkte mate gebruiken wij de gegevens ook voor marketinganalyse, statistiek en risicobeheer (art. 6 lid 1 f).

# Hoe wij aan uw gegevens komen

Meestal van uzelf: u geeft ons een opdracht, vraagt informatie aan via onze website of meldt zich aan voor onze nieuwsbrief. Ook van anderen: van onze opdrachtgever (als u debiteur bent), van een tussenpersoon en uit openbare bronnen.

# Cookies, nieuwsbrief en marketing

Onze website plaatst alleen strikt noodzakelijke cookies zonder uw toestemming. Voor analytische en marketingcookies vragen wij eerst toestemming, per soort; weigeren is even makkelijk als accepteren en u kunt uw keuze altijd wijzigen via "Cookie-instellingen" onderaan elke pagina. De nieuwsbrief ontvangt u alleen als u zich aanmeldt en dat bevestigt via de link die wij u mailen. Elke nieuwsbrief bevat een afmeldlink; als u zich afmeldt, wissen wij uw gegevens direct. U kunt ons altijd laten weten dat uw gegevens niet voor marketing mogen worden gebruikt; wij bewaren dan alleen een onomkeerbare code van uw e-mailadres, zodat wij u nooit meer marketing sturen. Wij leggen vast welke tekst u zag toen u toestemming gaf, wanneer, waar en hoe; intrekken is even makkelijk als geven.

# Hoe lang wij gegevens bewaren

Niet langer dan nodig voor het doel, tenzij de wet langer bewaren verplicht. Gegevens uit een incassozaak: tot 36 maanden na het sluiten van de zaak. Gegevens voor het klantbeheer en de kredietbeoordeling van een opdrachtgever, vennoot of borg: tot 36 maanden na het einde van de relatie en de afwikkeling van alle wederzijdse vorderingen, of eerder als ze niet meer relevant zijn. Gegevens voor de controle op witwassen: vijf jaar na de transactie of het einde van de zakelijke relatie. Gegevens voor bedrijfsontwikkeling, analyse en marketing: 36 maanden na het laatste contact. Nieuwsbriefgegevens: direct gewist bij afmelden. Gegevens voor facturering en boekhouding: zeven jaar na het einde van het kalenderjaar waarin het boekjaar eindigde. Wij kunnen gegevens langer bewaren om een rechtsvordering te verdedigen of veilig te stellen. Na afloop wissen wij de gegevens of anonimiseren wij ze zo dat ze niet meer te gebruiken en niet meer toegankelijk zijn; geanonimiseerde gegevens gebruiken wij alleen voor historische, statistische of wetenschappelijke doeleinden.

# Aan wie wij gegevens verstrekken

Alleen als dat nodig is voor onze dienstverlening of als de wet het vereist: aan de opdrachtgever en zijn medewerkers; aan verwerkers die in opdracht van ons werken onder een verwerkersovereenkomst (post- en drukbedrijven, IT- en systeemleveranciers, betekenaars van stukken, juridisch adviseurs); aan professionele adviseurs zoals accountants, advocaten en gerechtsdeurwaarders; aan overheidsinstanties, toezichthouders, de Belastingdienst en opsporingsinstanties als wij daartoe wettelijk verplicht zijn; aan banken en betaaldienstverleners; aan incassobureaus in het buitenland; en aan adres-, krediet- en insolventie-informatiediensten. Verwerkers mogen de gegevens alleen volgens onze instructies gebruiken en moeten ze beschermen. Wij leggen elke verstrekking vast. Gegevens gaan alleen naar een land buiten de Europese Economische Ruimte als er een adequaatheidsbesluit of passende waarborgen (zoals modelcontractbepalingen) zijn.

# Hoe wij uw gegevens beveiligen

Wij verwerken zo weinig gegevens als mogelijk en nemen passende technische en organisatorische maatregelen tegen verlies, onrechtmatige vernietiging, wijziging, toegang of andere onrechtmatige verwerking: toegangsbeveiliging en autorisatiebeheer, versleuteling van persoonsgegevens, sterke wachtwoorden en een tweede factor, firewalls en virusbescherming, logging en intensieve monitoring van website en infrastructuur op beveiligingsincidenten, veilige overdracht naar derden, versleutelde reservekopieën en afspraken met leveranciers over informatiebeveiliging. Alleen bevoegde medewerkers die de gegevens voor hun werk nodig hebben, kunnen ze inzien; medewerkers en derden die de gegevens kunnen inzien, zijn tot geheimhouding verplicht, en voor een deel van ons werk geldt ook een wettelijke geheimhoudingsplicht. Geen enkel systeem is 100% veilig; met vragen over de veiligheid van uw gegevens kunt u altijd bij ons terecht. Onze e-mail wordt altijd versleuteld verstuurd. Toch is e-mail te vergelijken met een briefkaart: zet er geen gevoelige informatie in.

# Uw rechten

U heeft recht op inzage in uw gegevens met een kopie (een uittreksel), op correctie van onjuiste gegevens, op wissing van gegevens die onjuist zijn of niet meer nodig, op beperking van de verwerking, op bezwaar tegen verwerking op grond van een taak van algemeen belang of ons gerechtvaardigd belang, op bezwaar tegen direct marketing, op overdraagbaarheid van de gegevens die u ons gaf in een machineleesbaar formaat, en op het op elk moment intrekken van uw toestemming. U kunt uw rechten uitoefenen via ons webformulier, het portaal, per e-mail of telefonisch. Wij stellen eerst vast dat u het bent en antwoorden binnen een maand (met een verlenging van twee maanden als dat nodig is; dat laten wij u binnen de eerste maand weten).

# Klachten

Bent u niet tevreden over hoe wij met uw gegevens omgaan, neem dan contact met ons op. U kunt ook een klacht indienen bij de toezichthouder in uw land; in Nederland is dat de Autoriteit Persoonsgegevens, Postbus 93374, 2509 AJ Den Haag.

# Wijzigingen

Wij kunnen deze verklaring aanpassen, bijvoorbeeld door nieuwe ontwikkelingen, diensten of wetgeving. Elke versie wordt met nummer en datum op onze website gepubliceerd en eerdere versies blijven in te zien; opdrachtgevers en hun contactpersonen informeren wij per e-mail over een nieuwe versie."""

STATEMENT_EN = """\
# Who we are and what this statement is for

This privacy statement describes how our collection agency processes personal data. We comply with the General Data Protection Regulation (GDPR, Regulation (EU) 2016/679). Our name, address and contact details are at the bottom of this page.

# What are personal data and what is processing?

Personal data are all data that we can relate to you, such as your name, telephone number, e-mail address or your computer's IP address. If you are self-employed or run a sole proprietorship or partnership, your company's details are personal data too, because they lead directly to you. Processing is everything that can be done with data: collecting, recording, organising, storing, altering, retrieving, consulting, using, disclosing, distributing, combining, restricting, erasing and destroying it.

# Did you receive a collection letter or reminder from us? (debtors)

We process data about debtors and their representatives, parties obliged to perform another duty, and parties jointly and severally liable (such as partners and guarantors). Mostly we do so as processor for our client: the company you have an agreement with. That client is the controller, determines the purpose and instructs us, and we follow its instructions. Our arrangements are laid down in a processor agreement, covering confidentiality, security and our duties in a data breach. If you want to exercise a privacy right over data we process for a client, the client is the one to approach; a request you make to us is forwarded to the client with the evidence and the deadline, we tell you so, and we carry it out on the client's instruction. For claims we own ourselves we are the controller.

We process your data because you owe a debt that has fallen due, to obtain payment (or another settlement), establish the claim or enforce it effectively and lawfully. Legal grounds: performance of a contract, a legal obligation, a task in the public interest and the legitimate interest in having an unpaid debt settled (GDPR art. 6(1)(b), (c), (e) and (f)). "Collection measures" are all the steps to that end: letters and reminders, payment plans, payments, contact with you or your representative and with authorities, and court proceedings and enforcement.

We process your contact and address details and keep them up to date with the help of an external service provider, which sees certain data for that purpose. You are obliged to provide these data for the performance of the contract or to meet legal obligations. If you live abroad or move abroad, we may engage a collection agency in that country and share your data and the case file with it. We also process data about the debt, the agreement, the purchase and (partial) payments and, to choose the right measure, some insight into your financial situation, living circumstances, other debts and attachments; we obtain these from credit reference agencies and public authorities, which see certain data for that purpose. On that basis we decide which letter you receive and whether we take legal steps. This is sometimes automated, with profiling on predefined characteristics; you can always ask for a human review and receive an explanation of the logic of the decision.

We process data about health or criminal data only when needed to establish, exercise or defend a legal claim in your case, or with your explicit consent (GDPR art. 9(2)(a) and (f), art. 10 and the Dutch GDPR Implementation Act). To a limited extent we also use data for business and method development, planning, statistics, monitoring and risk management, on our legitimate interest in developing our business and avoiding credit losses (art. 6(1)(f)).

# Are you (a contact person of) a client, partner or public authority?

For clients, their contact persons, partners and guarantors, contact persons of prospective clients, of service providers and partners and of public authorities we are the controller. We process among other things (business) contact details, name, address, place of residence, e-mail address, telephone number, date of birth and account number, and what we record when you contact us (telephone, website, social media). We use them to manage the contact, to perform the contract or cooperation and for bookkeeping and invoicing (art. 6(1)(b), (c) and (f)); on our legitimate interest also to market our services and develop our client base. Data about contact persons at public authorities are used for legal steps concerning claims (art. 6(1)(c), (e) and (f)).

When accepting clients, partners and guarantors we check for money laundering and assess solvency and security, with only the data needed (including assets, debts and income), from public sources such as the Chamber of Commerce, trade information agencies, the insolvency register and public information on the internet (art. 6(1)(b) and (c) and the Dutch anti-money-laundering act, Wwft). Sensitive data are processed for this only where the anti-money-laundering check requires it. To a limited extent we also use the data for marketing analysis, statistics and risk management (art. 6(1)(f)).

# How we obtain your data

Mostly from you: you give us an assignment, request information through our website or subscribe to our newsletter. Also from others: from our client (if you are a debtor), from an intermediary and from public sources.

# Cookies, newsletter and marketing

Our website sets only strictly necessary cookies without your consent. For analytics and marketing cookies we ask your consent first, per kind; rejecting is as easy as accepting, and you can change your choice at any time through "Cookie settings" at the bottom of every page. You receive our newsletter only if you subscribe and confirm through the link we e-mail you. Every newsletter has an unsubscribe link; when you unsubscribe we erase your data at once. You can always tell us that your data must not be used for marketing; we then keep only an irreversible code of your e-mail address, so that we never send you marketing again. We record which text you saw when you gave consent, when, where and how; withdrawing is as easy as giving.

# How long we keep data

No longer than the purpose needs, unless the law requires longer. Data from a collection case: up to 36 months after the case is closed. Data for managing the relationship with, and assessing the creditworthiness of, a client, partner or guarantor: up to 36 months after the relationship and the settlement of all mutual claims ended, or earlier when no longer relevant. Data for anti-money-laundering checks: five years after the transaction or the end of the business relationship. Data for business development, analysis and marketing: 36 months after the last contact. Newsletter data: erased at once when you unsubscribe. Data needed for invoicing and bookkeeping: seven years after the end of the calendar year in which the financial year ended. We may keep data longer to defend or secure a legal claim. At the end we erase the data or anonymise them so that they can no longer be used and are no longer accessible; anonymised data are used only for historical, statistical or scientific purposes.

# To whom we disclose data

Only when our services need it or the law requires it: to the client and its employees; to processors working for us under a processor agreement (postal and print companies, IT and system suppliers, process servers, legal advisers); to professional advisers such as accountants, lawyers and bailiffs; to public authorities, regulators, the tax authorities and investigative authorities when the law obliges us; to banks and payment service providers; to collection agencies abroad; and to address, credit and insolvency information services. Processors may use the data only on our instructions and must protect them. We record every disclosure. Data go to a country outside the European Economic Area only with an adequacy decision or appropriate safeguards (such as standard contractual clauses).

# How we protect your data

We process as little data as possible and take appropriate technical and organisational measures against loss, unlawful destruction, alteration, access or other unlawful processing: access control and authorisation management, encryption of personal data, strong passwords and a second factor, firewalls and virus protection, logging and intensive monitoring of the website and infrastructure for security incidents, secure transfer to third parties, encrypted backups and information-security agreements with suppliers. Only authorised staff who need the data for their work can see them; staff and third parties who can see the data are bound to secrecy, and part of our work is also under a statutory duty of confidentiality. No system is 100% secure; you can always ask us about the security of your data. Our e-mail is always sent encrypted. Still, e-mail is like a postcard: do not put sensitive information in it.

# Your rights

You have the right of access to your data with a copy (an extract), to rectification of incorrect data, to erasure of data that are incorrect or no longer needed, to restriction of processing, to object to processing on a task in the public interest or our legitimate interest, to object to direct marketing, to portability of the data you gave us in a machine-readable format, and to withdraw your consent at any time. You can exercise your rights through our web form, the portal, by e-mail or by telephone. We first verify that it is you and answer within one month (extended by two months where needed; we tell you so within the first month).

# Complaints

If you are not satisfied with how we handle your data, please contact us. You can also complain to the supervisory authority in your country; in the Netherlands that is the Autoriteit Persoonsgegevens (Dutch Data Protection Authority), Postbus 93374, 2509 AJ Den Haag.

# Changes

We may change this statement, for example because of new developments, services or legislation. Every version is published on our website with its number and date, and earlier versions remain available; we inform clients and their contact persons of a new version by e-mail."""

CONSENT_TEXTS = [
    (
        "analytics_cookies",
        "Analytische cookies",
        "Analytics cookies",
        "Met analytische cookies meten wij hoe bezoekers onze website gebruiken (welke pagina's, hoe lang), zodat "
        "wij pagina's en formulieren kunnen verbeteren. Wij bewaren deze gegevens tot 36 maanden na uw laatste "
        "bezoek. U kunt uw toestemming altijd intrekken via Cookie-instellingen.",
        "Analytics cookies let us measure how visitors use our website (which pages, for how long), so that we can "
        "improve pages and forms. We keep these data up to 36 months after your last visit. You can withdraw your "
        "consent at any time through Cookie settings.",
    ),
    (
        "marketing_cookies",
        "Marketingcookies",
        "Marketing cookies",
        "Met marketingcookies kunnen wij en onze partners u op andere websites informatie over onze diensten tonen "
        "die bij uw bezoek past. Wij bewaren deze gegevens tot 36 maanden na uw laatste bezoek. U kunt uw "
        "toestemming altijd intrekken via Cookie-instellingen.",
        "Marketing cookies let us and our partners show you information about our services on other websites that "
        "fits your visit. We keep these data up to 36 months after your last visit. You can withdraw your consent "
        "at any time through Cookie settings.",
    ),
    (
        "newsletter",
        "Nieuwsbrief",
        "Newsletter",
        "Ja, stuur mij de nieuwsbrief van het incassobureau per e-mail. Wij gebruiken uw e-mailadres alleen "
        "daarvoor. U meldt zich af met één klik in elke nieuwsbrief; wij wissen uw gegevens dan direct.",
        "Yes, send me the collection agency's newsletter by e-mail. We use your e-mail address only for that. You "
        "unsubscribe with one click in every newsletter; we then erase your data at once.",
    ),
]


def seed(apps, schema_editor):
    DocumentVersion = apps.get_model("consent", "DocumentVersion")
    now = timezone.now()
    if not DocumentVersion.objects.filter(kind="privacy_statement").exists():
        DocumentVersion.objects.create(
            kind="privacy_statement",
            purpose="",
            number=1,
            title_nl="Privacyverklaring",
            title_en="Privacy statement",
            body_nl=STATEMENT_NL,
            body_en=STATEMENT_EN,
            published_at=now,
        )
    for purpose, title_nl, title_en, body_nl, body_en in CONSENT_TEXTS:
        if not DocumentVersion.objects.filter(kind="consent_text", purpose=purpose).exists():
            DocumentVersion.objects.create(
                kind="consent_text",
                purpose=purpose,
                number=1,
                title_nl=title_nl,
                title_en=title_en,
                body_nl=body_nl,
                body_en=body_en,
                published_at=now,
            )


def unseed(apps, schema_editor):
    DocumentVersion = apps.get_model("consent", "DocumentVersion")
    DocumentVersion.objects.filter(number=1, consent_records__isnull=True, mailings__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_documents_consent_newsletter")]

    operations = [migrations.RunPython(seed, unseed)]
